import CanonicalJSON

/// Indented JSON for people (keys sorted, numbers exactly as stored).
enum PrettyJSON {
    static func render(_ v: JSONValue, indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        switch v {
        case .array(let a) where !a.isEmpty:
            return "[\n" + a.map { pad + "  " + render($0, indent: indent + 1) }.joined(separator: ",\n") + "\n" + pad + "]"
        case .object(let o) where !o.isEmpty:
            let keys = o.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return "{\n" + keys.map { pad + "  " + JSONValue.string($0).canonicalString + ": " + render(o[$0]!, indent: indent + 1) }.joined(separator: ",\n") + "\n" + pad + "}"
        default:
            return v.canonicalString
        }
    }
}
