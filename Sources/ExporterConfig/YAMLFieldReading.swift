import Yams

/// Reads typed fields out of a YAML node tree, naming the file and the field path in every error.
///
/// Shared by the configuration file and the web configuration file loaders.
protocol YAMLFieldReading {
    /// The file the YAML came from, for error messages.
    var path: String { get }
}

extension YAMLFieldReading {
    /// Parses YAML text into nodes. Errors give only the position: YamlError's description quotes
    /// the offending line, which could hold a secret.
    func compose(_ text: String) throws(ConfigError) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(source: path, problem: "not valid YAML\(Self.position(of: error))")
        } catch {
            throw ConfigError(source: path, problem: "not valid YAML")
        }
    }

    static func position(of error: YamlError) -> String {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return " at line \(mark.line), column \(mark.column)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            return " at line \(context.mark.line): duplicate key \(duplicates.joined(separator: ", "))"
        default:
            return ""
        }
    }

    /// A mapping's fields; a key outside `allowed` (when given) is an error naming it.
    func mapping(_ node: Node, at field: String, allowed: Set<String>?) throws(ConfigError) -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            throw ConfigError(source: path, field: field.isEmpty ? nil : field, problem: "must be a mapping")
        }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else {
                throw ConfigError(source: path, field: field.isEmpty ? nil : field, problem: "keys must be strings")
            }
            let qualified = field.isEmpty ? name : "\(field).\(name)"
            if let allowed, !allowed.contains(name) {
                let known = allowed.sorted().joined(separator: ", ")
                throw ConfigError(source: path, field: qualified, problem: "unknown field (known: \(known))")
            }
            result[name] = value
        }
        return result
    }

    func string(_ node: Node, at field: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else {
            throw ConfigError(source: path, field: field, problem: "must be a string")
        }
        return scalar.string.trimmingWhitespace()
    }

    func strings(_ node: Node, at field: String) throws(ConfigError) -> [String] {
        guard case .sequence(let sequence) = node else {
            throw ConfigError(source: path, field: field, problem: "must be a list of strings")
        }
        var values: [String] = []
        for (index, item) in sequence.enumerated() { values.append(try string(item, at: "\(field)[\(index)]")) }
        return values
    }

    func bool(_ node: Node, at field: String) throws(ConfigError) -> Bool {
        guard case .scalar = node, let value = node.bool else {
            throw ConfigError(source: path, field: field, problem: "must be true or false")
        }
        return value
    }

    func integer(_ node: Node, at field: String) throws(ConfigError) -> Int {
        guard case .scalar = node, let value = node.int else {
            throw ConfigError(source: path, field: field, problem: "must be a whole number")
        }
        return value
    }

    func double(_ node: Node, at field: String) throws(ConfigError) -> Double {
        guard case .scalar = node, let value = node.float, value.isFinite else {
            throw ConfigError(source: path, field: field, problem: "must be a number")
        }
        return value
    }

    func duration(_ node: Node, at field: String) throws(ConfigError) -> Duration {
        let text = try string(node, at: field)
        guard let duration = PrometheusDuration.parse(text), duration > .zero else {
            throw ConfigError(
                source: path, field: field, problem: "\"\(text)\" is not a duration such as 30s, 5m or 1h")
        }
        return duration
    }
}
