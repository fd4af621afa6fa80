# lit configuration for Tessera's FileCheck tests (tests/lit/<pass or tool>/).
import os
import lit.formats

config.name = "Tessera"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test", ".s"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tessera_obj_root, "tests", "lit")

path = os.pathsep.join([config.tessera_tools_dir, config.llvm_tools_dir,
                        config.environment.get("PATH", os.environ["PATH"])])
config.environment["PATH"] = path
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%shared", os.path.join(config.tessera_src_root, "..", "shared")))
if os.path.isdir(os.path.join(config.tessera_src_root, "..", "shared", "fixtures")):
    config.available_features.add("shared")
