"""Built-in reference data: the agencies of the 2023 northern-Myanmar crackdown."""

from __future__ import annotations

from scamnet.core.entities import Agency, AgencyLevel

L = AgencyLevel


def reference_agencies() -> list[Agency]:
    """The agencies every instance knows, parents before children."""
    return [
        Agency("CN-MPS", "Ministry of Public Security", L.MINISTRY, "CN"),
        Agency(
            "CN-YN", "Yunnan Provincial Public Security Department", L.PROVINCIAL, "CN", "CN-MPS"
        ),
        Agency(
            "CN-YN-XSBN",
            "Xishuangbanna Prefecture Public Security Bureau",
            L.PREFECTURE,
            "CN",
            "CN-YN",
        ),
        Agency("CN-YN-PE", "Pu'er Municipal Public Security Bureau", L.PREFECTURE, "CN", "CN-YN"),
        Agency("CN-YN-LC", "Lincang Municipal Public Security Bureau", L.PREFECTURE, "CN", "CN-YN"),
        Agency("CN-YN-DH", "Dehong Prefecture Public Security Bureau", L.PREFECTURE, "CN", "CN-YN"),
        Agency("MM-MPF", "Myanmar Police Force", L.FOREIGN_PARTNER, "MM"),
        Agency("MM-MUSE", "Myanmar Police Force, Muse", L.FOREIGN_PARTNER, "MM", "MM-MPF"),
        Agency(
            "MM-LAUKKAI",
            "Myanmar Police Force, Laukkai (Kokang)",
            L.FOREIGN_PARTNER,
            "MM",
            "MM-MPF",
        ),
        Agency("MM-MYAWADDY", "Myanmar Police Force, Myawaddy", L.FOREIGN_PARTNER, "MM", "MM-MPF"),
        Agency(
            "MM-TACHILEIK", "Myanmar Police Force, Tachileik", L.FOREIGN_PARTNER, "MM", "MM-MPF"
        ),
        # Mong La is run by an ethnic armed group's administration, not the national police.
        Agency("MM-MONGLA", "Shan Special Region 4 authorities, Mong La", L.FOREIGN_PARTNER, "MM"),
    ]
