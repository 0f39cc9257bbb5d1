/// Makes equal strings share one buffer: a listing's paths (and the graph's connection ids) repeat
/// across thousands of documents, and each decoded copy would otherwise be its own allocation.
/// (Owner ids and URL prefixes go further, into numbers in their listing page's table: they are
/// read only for `/inaccessible`, while paths are matched against the scope on every poll.)
struct StringInterner {
    var table: [String: String] = [:]

    mutating func callAsFunction(_ text: String) -> String {
        if text.utf8.count <= 15 { return text }  // small strings live inline anyway
        if let known = table[text] { return known }
        table[text] = text
        return text
    }
}
