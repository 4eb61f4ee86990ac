"""LightGBM trees compiled by LLVM to native if-else code: the same scores, ~2x the numba
kernel (``detect/compiled.py``) and ~4x LightGBM on one core.

lleaves (Boehm et al., https://github.com/siboehm/lleaves) parses a model's text and
writes every tree as a function of nested branches; LLVM turns that into machine code.
We use its parser and code generator only: its driver targets an older llvmlite
(``PassManagerBuilder`` and ``llvm.initialize()`` are gone in llvmlite 0.50), so the
optimisation (the new pass builder) and the loading (MCJIT) are done here.

Compiling a 400-tree model takes ~45 s, so the object code is made once, kept in the
signed model (``TabularModel.machine_code``) and only loaded by a later process. Object
code is code: it is loaded only from the signed payload, and only when it was compiled
from this very model text (its SHA-256) for this processor by this generator.

LightGBM reads ``|v| <= 1e-35`` as zero (its dense-matrix reader), lleaves does not. That
matters at a threshold within the band, which is moved to its edge so that every value
in the band goes where zero goes (``_zero_band``), and at a zero-as-missing split, for
which the inputs' small values are made zero before the call (``MachineCode.zero_small``).
"""

from __future__ import annotations

import ctypes
import hashlib
import math
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from scamnet.detect.compiled import ZERO, NotCompilable, in_threads, input_rows

ENTRY = "forest_root"
GENERATOR = "scamnet-llvm-trees-1"  # bump when the code made for the same model changes
# Trees per cache block: each block loops over every row (lleaves' instruction-cache
# blocking). lleaves' default of 34 ran 4.6x LightGBM on the subscriber model, 10 ran
# 6.1x and 4 ran 6.2x, for the same compile time (BENCHMARKS.md, issue 21, "LLVM trees"):
# its deep leaf-wise trees are much code each.
ROW_CHUNK = 512  # rows a call takes through every block: 512 x 55 doubles stay in L2 (see
# BENCHMARKS.md: under load, 256 to 2,048 rows or none at all did not differ measurably)
BLOCK_TREES = 4
SMALL_CHUNK = 4_096  # rows below which one thread scores: a thread hand-off costs more
_DOUBLES = ctypes.POINTER(ctypes.c_double)
# forest_root(rows, out, first row, end row), as lleaves generates it.
_ENTRY_TYPE = ctypes.CFUNCTYPE(None, _DOUBLES, _DOUBLES, ctypes.c_int32, ctypes.c_int32)


@dataclass(frozen=True)
class MachineCode:
    """Object code of one model's trees for one processor, and what it was made from."""

    model_sha256: str  # of the model text it was compiled from
    target: str  # see target(): triple, processor, features, generator versions
    n_features: int
    zero_small: bool  # inputs with |v| <= 1e-35 are made 0.0 first: zeros are missing
    blob: bytes  # a relocatable object file
    compile_seconds: float


def model_sha256(model_text: str) -> str:
    """The digest of what the code is made from: the header and the trees (not the
    parameters and importances LightGBM writes after them)."""
    return hashlib.sha256(model_text.partition("\nend of trees")[0].encode()).hexdigest()


def target() -> str:
    """What object code is valid for: this processor, and the versions that made it."""
    import llvmlite.binding as llvm

    _initialise()
    try:
        features = llvm.get_host_cpu_features().flatten()
    except RuntimeError:  # LLVM cannot tell on some hosts
        features = ""
    made_by = [GENERATOR, f"lleaves-{version('lleaves')}", f"llvmlite-{version('llvmlite')}"]
    return "|".join([llvm.get_process_triple(), llvm.get_host_cpu_name(), features, *made_by])


def _initialise() -> None:
    import llvmlite.binding as llvm

    # llvmlite 0.50 initialises its core itself; llvm.initialize() now raises.
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()


def _target_machine(codemodel: str, opt: int = 3) -> Any:
    import llvmlite.binding as llvm

    _initialise()
    tgt = llvm.Target.from_triple(llvm.get_process_triple())
    try:
        features = llvm.get_host_cpu_features().flatten()
    except RuntimeError:
        features = ""
    # The large code model, as lleaves: the small one cannot address a big forest's code.
    return tgt.create_target_machine(cpu=llvm.get_host_cpu_name(), features=features,
                                     opt=opt, reloc="pic", codemodel=codemodel)  # fmt: skip


def _zeros_missing(model_text: str) -> bool:
    """True if a split takes zeros as missing: lleaves tests those for 0.0 exactly."""
    for line in model_text.splitlines():
        key, _, values = line.partition("=")
        if key == "decision_type" and any((int(d) >> 2) & 3 == 1 for d in values.split()):
            return True
    return False


def _zero_band(forest: Any) -> None:
    """Move numeric thresholds within LightGBM's zero band to its edge, where a value
    of the band goes the way 0.0 goes, as LightGBM reads it: left of ``0 <= t < ZERO``
    (``v <= ZERO``), right of ``-ZERO <= t < 0`` (``v < -ZERO``)."""
    below = math.nextafter(-ZERO, -math.inf)
    stack = [tree.root_node for tree in forest.trees]
    while stack:
        node = stack.pop()
        if node.is_leaf:
            continue
        stack += [node.left, node.right]
        t = node.threshold
        if not node.decision_type.is_categorical and -ZERO <= t < ZERO:
            node.threshold = ZERO if t >= 0 else below


def compile_model(model_text: str, block_trees: int = BLOCK_TREES, inline: bool = True,
                  codemodel: str = "large", speed: int = 3) -> MachineCode:  # fmt: skip
    """Compile a LightGBM model (``Booster.model_to_string``, as many trees as it should
    score with) to object code for this processor.

    Raises:
        NotCompilable: lleaves does not take the model (the reason says why).
    """
    import llvmlite.binding as llvm
    import llvmlite.ir
    from lleaves.compiler.ast import parse_to_ast
    from lleaves.compiler.codegen import gen_forest

    began = time.perf_counter()
    header = model_text.partition("\nTree=")[0]
    if "num_class=1" not in header.splitlines():
        raise NotCompilable("more than one class")
    if "is_linear=1" in model_text:
        raise NotCompilable("linear trees")
    with tempfile.TemporaryDirectory() as tmp:  # lleaves' scanner reads a file
        path = Path(tmp) / "model.txt"
        path.write_text(model_text)
        try:
            forest = parse_to_ast(str(path))
        except (AssertionError, ValueError, KeyError, IndexError) as exc:
            raise NotCompilable(f"lleaves cannot parse the model: {exc!r}") from None
    forest.raw_score = False
    _zero_band(forest)
    ir = llvmlite.ir.Module(name="forest")
    try:
        gen_forest(forest, ir, block_trees, ENTRY, True)
    except (AssertionError, ValueError) as exc:  # an objective lleaves does not know
        raise NotCompilable(f"lleaves cannot generate the model: {exc}") from None
    _initialise()
    ir.triple = llvm.get_process_triple()
    module = llvm.parse_assembly(str(ir))
    module.verify()
    machine = _target_machine(codemodel)
    tuning = llvm.create_pipeline_tuning_options(speed_level=speed)
    if inline:
        tuning.inlining_threshold = 1  # as lleaves: any threshold makes LLVM inline the trees
    passes = llvm.create_pass_builder(machine, tuning)
    passes.getModulePassManager().run(module, passes)
    blob = machine.emit_object(module)
    return MachineCode(model_sha256(model_text), target(), len(forest.features),
                       _zeros_missing(model_text), bytes(blob),
                       time.perf_counter() - began)  # fmt: skip


class LLVMForest:
    """Loaded object code: scores rows as ``Booster.predict`` (a binary model's
    probability, a regression's value)."""

    def __init__(self, code: MachineCode, model_text_sha256: str) -> None:
        """Load ``code``, which must have been compiled from the model whose text has
        ``model_text_sha256``, on a processor like this one.

        Raises:
            NotCompilable: the code is for another model, processor or generator.
        """
        import llvmlite.binding as llvm

        if code.model_sha256 != model_text_sha256:
            raise NotCompilable("the machine code was compiled from another model")
        if code.target != target():
            raise NotCompilable(f"the machine code is for {code.target.split('|')[1]} "
                                f"({code.target}), not this processor")  # fmt: skip
        self.code = code
        self.n_features = code.n_features
        self._engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""),
                                                  _target_machine("large"))  # fmt: skip
        self._engine.add_object_file(llvm.ObjectFileRef.from_data(code.blob))
        self._engine.finalize_object()
        # A CFUNCTYPE call releases the GIL: threads score at once.
        self._entry = _ENTRY_TYPE(self._engine.get_function_address(ENTRY))

    def predict(self, x: np.ndarray, threads: int = 1) -> np.ndarray:
        """Each row's score; ``threads`` > 1 splits the rows between that many threads.

        Raises:
            ValueError: ``x`` has another number of features than the model.
        """
        x = input_rows(x, self.n_features)
        if len(x) >= 2**31 - 1:
            raise ValueError("more rows than one call takes (2**31 - 1); score them in parts")
        out = np.empty(len(x), dtype=np.float64)
        if threads <= 1 or len(x) < SMALL_CHUNK * 2:
            self._run(x, out)
        else:
            in_threads(self._run, x, out, threads)
        return out

    def _run(self, x: np.ndarray, out: np.ndarray) -> None:
        """Score contiguous rows ``x`` into ``out`` (a view of the same length)."""
        if not len(x):
            return
        if self.code.zero_small:
            x = np.where(np.abs(x) <= ZERO, 0.0, x)  # as LightGBM reads a dense matrix
        data, into = x.ctypes.data_as(_DOUBLES), out.ctypes.data_as(_DOUBLES)
        for lo in range(0, len(x), ROW_CHUNK):
            self._entry(data, into, lo, min(lo + ROW_CHUNK, len(x)))
