import ExporterConfig

// libFuzzer target for the YAML configuration parsers (the exporter's file and the web
// configuration file). Built only with the recipe in the README; a ConfigError is not a finding.

/// Parses `bytes` as both configuration files; secrets are read from an empty fake file system.
func parseEverything(_ bytes: UnsafeBufferPointer<UInt8>) {
    let text = String(decoding: bytes, as: UTF8.self)
    let environment = ConfigEnvironment(variables: ["SECRET": "x"]) { path in
        if path.hasPrefix("/secret") { return "fuzz-secret\n" }
        throw ConfigEnvironment.FileProblem("no such file")
    }
    // The registry's names (CollectorRegistry.names) would link Collectors and with it the HTTP
    // server into a sanitizer build; which names are known does not change the paths fuzzed, and
    // ConfigurationTests checks the parser with the registry's own list.
    _ = try? ConfigFileLoader(
        path: "fuzz.yml", environment: environment, knownCollectors: ["credentials", "workbooks", "connections"]
    ).parse(text)
    _ = try? WebConfigLoader(path: "web.yml") { _ in text }.load()
    _ = PrometheusDuration.parse(text)
}

#if FUZZING
    // SwiftPM links an executable's entry point as `<module>_main` (main is an alias of it), so
    // that entry point hands control to libFuzzer's driver.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// The input callback, under the name libFuzzer's own `main` looks for.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        parseEverything(UnsafeBufferPointer(start: data, count: size))
        return 0
    }

    @_cdecl("FuzzConfig_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments, fuzzOneInput)
    }
#else
    @main
    enum FuzzConfigMain {
        static func main() {
            print(
                "Build with the fuzzing recipe in the README: swift build --product FuzzConfig -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING ..."
            )
        }
    }
#endif
