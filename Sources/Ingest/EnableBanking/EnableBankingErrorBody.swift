import CanonicalJSON

/// An Enable Banking error body in any of the shapes seen: `{message, code, error, detail}`
/// (`detail` null, a string or `{message, error_name, error_data}`), a bank's own shape
/// passed through (`{title, code: "PERIOD_INVALID", detail}`), or no JSON at all (an HTML 502).
struct EnableBankingErrorBody: Sendable {
    var errorCode: String?
    var message: String?

    init(status: Int, body: [UInt8]) {
        guard let j = try? JSONValue.parse(body), j.object != nil else {
            message = body.isEmpty ? "HTTP \(status) with no body" : "HTTP \(status) with a body that is not JSON (\(body.count) bytes)"
            return
        }
        errorCode = j["error"]?.string ?? j["code"]?.string
        var parts: [String] = []
        for text in [j["message"]?.string, j["title"]?.string, j["detail"]?.string, j["detail"]?["message"]?.string] {
            if let text, !text.isEmpty, !parts.contains(text) { parts.append(String(text.prefix(500))) }
        }
        message = parts.isEmpty ? "HTTP \(status)" : parts.joined(separator: ": ")
    }
}
