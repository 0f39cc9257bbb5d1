/// A Sigma route: the template counted in metrics and the concrete path requested.
///
/// Why both: `sigma_api_requests_total{endpoint}` must never carry a raw URL or an id, so the
/// template travels with every request from the place that builds it.
public struct Endpoint: Sendable, Equatable {
    /// The route template, such as `/v2/members/{id}`.
    public var template: String
    /// The path with its ids filled in and percent-encoded.
    public var path: String

    public init(template: String, path: String) {
        self.template = template
        self.path = path
    }

    public static let token = Endpoint(template: "/v2/auth/token", path: "/v2/auth/token")
    public static let whoami = Endpoint(template: "/v2/whoami", path: "/v2/whoami")
    public static let workbooks = Endpoint(template: "/v2/workbooks", path: "/v2/workbooks")
    public static let members = Endpoint(template: "/v2/members", path: "/v2/members")

    public static let datasets = Endpoint(template: "/v2/datasets", path: "/v2/datasets")
    public static let dataModels = Endpoint(template: "/v2/dataModels", path: "/v2/dataModels")
    public static let connections = Endpoint(template: "/v2/connections", path: "/v2/connections")
    public static let connectionPaths = Endpoint(template: "/v2/connections/paths", path: "/v2/connections/paths")

    public static func workbookSources(_ id: String) -> Endpoint {
        Endpoint(template: "/v2/workbooks/{id}/sources", path: "/v2/workbooks/\(percentEncoded(id))/sources")
    }

    public static func datasetSources(_ id: String) -> Endpoint {
        Endpoint(template: "/v2/datasets/{id}/sources", path: "/v2/datasets/\(percentEncoded(id))/sources")
    }

    public static func dataModelSources(_ id: String) -> Endpoint {
        Endpoint(template: "/v2/dataModels/{id}/sources", path: "/v2/dataModels/\(percentEncoded(id))/sources")
    }

    public static func tablePath(_ inodeId: String) -> Endpoint {
        Endpoint(template: "/v2/connections/paths/{id}", path: "/v2/connections/paths/\(percentEncoded(inodeId))")
    }

    public static func member(_ memberId: String) -> Endpoint {
        Endpoint(template: "/v2/members/{id}", path: "/v2/members/" + percentEncoded(memberId))
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    public static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(hex[Int(byte >> 4)])
                result.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return result
    }
}
