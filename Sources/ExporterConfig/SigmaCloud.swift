/// Sigma's regional API hosts, by the cloud keys of the design's host table.
///
/// The API host is never the app host; users find theirs under Administration → Developer Access.
public enum SigmaCloud {
    /// Every accepted key and its base URL (no `/v2`: the client adds it).
    public static let baseURLs: [String: String] = [
        "gcp": "https://api.sigmacomputing.com",
        "gcp-ksa": "https://api.sa.gcp.sigmacomputing.com",
        "aws-us-west": "https://aws-api.sigmacomputing.com",
        "aws-us": "https://aws-api.sigmacomputing.com",
        "aws-us-east": "https://api.us-a.aws.sigmacomputing.com",
        "aws-ca": "https://api.ca.aws.sigmacomputing.com",
        "aws-eu": "https://api.eu.aws.sigmacomputing.com",
        "aws-au": "https://api.au.aws.sigmacomputing.com",
        "aws-uk": "https://api.uk.aws.sigmacomputing.com",
        "azure-us": "https://api.us.azure.sigmacomputing.com",
        "azure-eu": "https://api.eu.azure.sigmacomputing.com",
        "azure-ca": "https://api.ca.azure.sigmacomputing.com",
        "azure-uk": "https://api.uk.azure.sigmacomputing.com",
        "azure-au": "https://api.au.azure.sigmacomputing.com",
    ]

    /// The sorted keys, for error messages.
    public static var keys: String { baseURLs.keys.sorted().joined(separator: ", ") }

    /// Normalises a user-given base URL: http(s) with a host, no trailing `/` or `/v2`.
    /// Returns nil when `text` is not an http(s) URL with a host.
    public static func normalizedBaseURL(_ text: String) -> String? {
        var url = text.trimmingWhitespace()
        let lower = url.lowercased()
        let schemeLength: Int
        if lower.hasPrefix("https://") {
            schemeLength = 8
        } else if lower.hasPrefix("http://") {
            schemeLength = 7
        } else {
            return nil
        }
        guard !url.contains(where: { $0 == "?" || $0 == "#" || $0 == " " }) else { return nil }
        while url.hasSuffix("/") { url.removeLast() }
        if url.lowercased().hasSuffix("/v2") { url.removeLast(3) }
        while url.hasSuffix("/") { url.removeLast() }
        let hostPart = url.dropFirst(schemeLength).prefix(while: { $0 != "/" })
        let host = hostPart.split(separator: "@").last.map(String.init) ?? ""
        guard !host.isEmpty, !host.hasPrefix(":"), !hostPart.contains("@") else { return nil }
        return url
    }
}

extension String {
    func trimmingWhitespace() -> String { trimmed(where: \.isWhitespace) }
}
