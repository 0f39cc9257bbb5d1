import SigmaModels

// libFuzzer target for the decoders of Sigma's responses. Built only with the recipe in the
// README (-sanitize=fuzzer -D FUZZING); a normal build gets a main that says so.
// A crash, a hang or a sanitizer report is a finding; a thrown SigmaDecoder.Failure is not.

/// Decodes `bytes` as every response shape the exporter reads.
func decodeEverything(_ bytes: UnsafeBufferPointer<UInt8>) {
    _ = try? SigmaDecoder.decode(TokenResponse.self, from: bytes)
    _ = try? SigmaDecoder.decode(WhoAmI.self, from: bytes)
    _ = try? SigmaDecoder.decode(Member.self, from: bytes)
    _ = try? SigmaDecoder.decode(Page<Workbook>.self, from: bytes)
    _ = try? SigmaDecoder.decode(Page<Dataset>.self, from: bytes)
    _ = try? SigmaDecoder.decode(Page<DataModel>.self, from: bytes)
    _ = try? SigmaDecoder.decode(Page<Connection>.self, from: bytes)
    _ = try? SigmaDecoder.decode(Page<ConnectionPath>.self, from: bytes)
    _ = try? SigmaDecoder.decode([Lossy<DocumentSource>].self, from: bytes)
    _ = try? SigmaDecoder.decode(DataModelSourcesPage.self, from: bytes)
    _ = try? SigmaDecoder.decode(TablePath.self, from: bytes)
    _ = try? SigmaDecoder.decode(SigmaErrorBody.self, from: bytes)
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
        decodeEverything(UnsafeBufferPointer(start: data, count: size))
        return 0
    }

    @_cdecl("FuzzDecoders_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments, fuzzOneInput)
    }
#else
    @main
    enum FuzzDecodersMain {
        static func main() {
            print(
                "Build with the fuzzing recipe in the README: swift build --product FuzzDecoders -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING ..."
            )
        }
    }
#endif
