"""Detection: versioned detectors for subscribers, messages, URLs and accounts.

Each detector trains, evaluates, scores and explains; every score carries the
reasons for it in words.
"""
