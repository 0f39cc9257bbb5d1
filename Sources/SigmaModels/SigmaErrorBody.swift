/// Sigma's error body, `{"requestId", "message", "code"}`; every field may be missing (some 404s
/// carry no `code`), so a body that is not this shape still yields an (empty) value.
public struct SigmaErrorBody: Decodable, Sendable, Equatable {
    public var requestId: String?
    public var message: String?
    public var code: String?

    public init(requestId: String? = nil, message: String? = nil, code: String? = nil) {
        self.requestId = requestId
        self.message = message
        self.code = code
    }
}
