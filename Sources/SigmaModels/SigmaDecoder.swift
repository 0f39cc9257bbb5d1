import Foundation

/// Decodes Sigma response bodies and turns every failure into one short, body-free description.
///
/// Why: a decoding error's default description can quote the body, and a body can contain a token;
/// what reaches a log is only the type, the coding path and the kind of problem.
public enum SigmaDecoder {
    /// A response body that is not the expected shape.
    public struct Failure: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
    }

    /// Decodes `T` from `bytes`, throwing ``Failure`` on anything malformed or missing.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw Failure(description: "\(T.self): \(summary(of: error))")
        } catch {
            throw Failure(description: "\(T.self): not valid JSON")
        }
    }

    static func summary(of error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "top level" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context)
            return "missing field \(key.stringValue)" + (context.codingPath.isEmpty ? "" : " in \(at)")
        case .typeMismatch(_, let context): return "wrong type at \(path(context))"
        case .valueNotFound(_, let context): return "null at \(path(context))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "invalid value at \(path(context))"
        @unknown default: return "undecodable"
        }
    }
}
