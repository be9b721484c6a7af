import Foundation
import TOMLKit

/// `[notify]` in finsync.toml: where finsync tells a person that something needs them.
///
/// ```toml
/// [notify]
/// webhooks = [
///   "https://hooks.example.com/finsync",                       # a JSON message (the default)
///   { url = "https://ntfy.sh/my-finsync-topic", format = "text" },  # one plain-text line (ntfy-style)
/// ]
/// ```
/// A webhook URL can itself be a secret (a token in its path or query), so problems name a
/// webhook by its key (`notify.webhooks[1]`), never by its URL.
public struct NotifyConfiguration: Sendable, Hashable {
    /// What a webhook is sent.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// `application/json`: `{"source", "kind", "severity", "title", "message", …}`.
        case json
        /// `text/plain`: the message as one line, with its title in a `Title` header (what ntfy reads).
        case text
    }

    /// One webhook: a URL and what it is sent.
    public struct Webhook: Sendable, Hashable {
        public var url: String
        public var format: Format

        public init(url: String, format: Format = .json) {
            self.url = url
            self.format = format
        }

        /// Why `url` cannot be posted to, if it cannot: not an http(s) URL with a host.
        public var urlProblem: String? {
            guard let u = URLComponents(string: url), let scheme = u.scheme?.lowercased() else { return "is not a URL (expected e.g. https://ntfy.sh/TOPIC)" }
            guard ["http", "https"].contains(scheme) else { return "uses \(scheme):, expected an http or https URL" }
            guard let host = u.host, !host.isEmpty else { return "has no host" }
            return nil
        }
    }

    /// The valid webhooks, in file order (invalid ones are reported as problems).
    public var webhooks: [Webhook] = []

    public init(webhooks: [Webhook] = []) { self.webhooks = webhooks }

    /// The keys `[notify]` knows.
    public static let knownKeys = ["webhooks"]

    /// Reads a `[notify]` table, collecting problems named by key instead of throwing.
    static func parse(_ value: any TOMLValueConvertible, problems: inout [ConfigurationProblem]) -> NotifyConfiguration {
        var out = NotifyConfiguration()
        guard let table = value.table else {
            problems.append(.init(key: "notify", message: "must be a table ([notify] with webhooks = [...])"))
            return out
        }
        for k in table.keys where !knownKeys.contains(k) {
            problems.append(.init(key: "notify.\(k)", message: "unknown key (expected \(knownKeys.joined(separator: ", ")))"))
        }
        guard let list = table["webhooks"] else { return out }
        guard let array = list.array else {
            problems.append(.init(key: "notify.webhooks", message: "must be an array of URLs or { url, format } tables"))
            return out
        }
        for (i, element) in array.enumerated() {
            let key = "notify.webhooks[\(i)]"
            var webhook: Webhook
            if let url = element.string {
                webhook = Webhook(url: url)
            } else if let t = element.table {
                for k in t.keys where !["url", "format"].contains(k) { problems.append(.init(key: "\(key).\(k)", message: "unknown key (expected url, format)")) }
                guard let url = t["url"]?.string else {
                    problems.append(.init(key: "\(key).url", message: "missing (a webhook needs an http or https URL)"))
                    continue
                }
                webhook = Webhook(url: url)
                if let f = t["format"] {
                    guard let name = f.string, let format = Format(rawValue: name) else {
                        problems.append(.init(key: "\(key).format", message: "must be one of \(Format.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))"))
                        continue
                    }
                    webhook.format = format
                }
            } else {
                problems.append(.init(key: key, message: "must be a URL string or a { url, format } table"))
                continue
            }
            if let problem = webhook.urlProblem {
                problems.append(.init(key: "\(key)\(element.table == nil ? "" : ".url")", message: problem))
                continue
            }
            out.webhooks.append(webhook)
        }
        return out
    }
}
