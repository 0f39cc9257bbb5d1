/// What this binary was built from: `version`, `revision`, `buildDate` and `swiftVersion` are
/// generated at build time by the `BuildStamp` plugin (`scripts/build-stamp.sh`), from the
/// `VERSION` file, git (or the Docker build's arguments) and the compiler.
///
/// A target of its own so that a new stamp recompiles one small file, not the exporter.
public enum BuildStamp {}
