import Foundation
import Hummingbird

/// Opaque page tokens: base64 of an offset and a check word, never a plain number, so a client
/// that computes page values instead of passing `nextPage` back verbatim fails.
enum PageToken {
    static func encode(offset: Int) -> String {
        Data("sim:\(offset):\(offset &* 7919 % 104_729)".utf8).base64EncodedString()
    }

    static func decode(_ token: String) -> Int? {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 3, parts[0] == "sim", let offset = Int(parts[1]), offset >= 0,
            parts[2] == "\(offset &* 7919 % 104_729)"
        else { return nil }
        return offset
    }

    /// Pages `items` with `limit` (default 50, at most 1000) and `page`, or returns a 400.
    static func page<T>(_ items: [T], request: Request) -> Result<(slice: ArraySlice<T>, next: String?), PageError> {
        var limit = 50
        if let text = request.uri.queryParameters.get("limit") {
            guard let value = Int(text), (1...1000).contains(value) else {
                return .failure(PageError(message: "limit must be between 1 and 1000"))
            }
            limit = value
        }
        var offset = 0
        if let token = request.uri.queryParameters.get("page"), !token.isEmpty {
            guard let value = decode(token) else {
                return .failure(PageError(message: "Invalid page token"))
            }
            offset = min(value, items.count)
        }
        let end = min(items.count, offset + limit)
        let next = end < items.count ? encode(offset: end) : nil
        return .success((items[offset..<end], next))
    }
}

/// A paging parameter Sigma would answer 400 for.
struct PageError: Error {
    var message: String
}
