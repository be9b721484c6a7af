import CanonicalJSON

/// The three shapes of a GoCardless error body flattened to summary / detail / type:
/// `{"summary","detail","status_code","type"?}`, field-keyed
/// `{"<field>": {"summary","detail"} | ["msg"] | [{"summary","detail"}], "status_code"}`,
/// and top-level arrays `{"summary": [..], "detail": [..]}`.
struct GoCardlessErrorBody: Sendable, Hashable {
    var summary: String?
    var detail: String?
    var type: String?

    init(summary: String? = nil, detail: String? = nil, type: String? = nil) {
        self.summary = summary
        self.detail = detail
        self.type = type
    }

    init(json: JSONValue) {
        func text(_ v: JSONValue?) -> String? {
            switch v {
            case .string(let s)?: return s
            case .array(let a)?: let parts = a.compactMap { text($0) }; return parts.isEmpty ? nil : parts.joined(separator: "; ")
            case .object(let o)?:
                let parts = [text(o["summary"]), text(o["detail"])].compactMap { $0 }
                return parts.isEmpty ? nil : parts.joined(separator: ": ")
            default: return nil
            }
        }
        guard let o = json.object else { self.init(); return }
        if o["summary"] != nil || o["detail"] != nil {
            self.init(summary: text(o["summary"]), detail: text(o["detail"]), type: o["type"]?.string)
            return
        }
        // Field-keyed: "field: summary: detail" for each field, in key order.
        let fields = o.keys.sorted().filter { $0 != "status_code" && $0 != "type" }.compactMap { k in text(o[k]).map { "\(k): \($0)" } }
        self.init(summary: fields.isEmpty ? nil : "Invalid request", detail: fields.isEmpty ? nil : fields.joined(separator: "; "), type: o["type"]?.string)
    }
}
