import Foundation
import TOMLKit

/// A problem with an `[[enablebanking]]` entry is thrown as the configuration problem it is
/// (key and message; never the key file's content).
extension ConfigurationProblem: Error {}

/// One Enable Banking application (`[[enablebanking]]` in finsync.toml):
///
/// ```toml
/// [[enablebanking]]
/// name = "main"                                   # optional; how `connect --application` names it
/// application_id = "0f1e…"                        # the application's id (the JWT's kid)
/// private_key_file = "/run/secrets/0f1e….pem"     # the key downloaded from the control panel
/// redirect_url = "https://127.0.0.1:8765/callback" # registered on the application
/// base_url = "https://api.enablebanking.com"      # default; http only on loopback
/// pending = false                                 # booked only (default); true where the bank keeps pending references stable
/// psu_ip_address = "81.2.69.160"                  # optional: your public IP, sent as Psu-Ip-Address when you sync at a terminal
/// psu_user_agent = "Mozilla/5.0 (X11; Linux)"     # optional: sent as Psu-User-Agent likewise
/// ```
///
/// The PSU values are sent only when a person is present (``EnableBankingPSUHeaders``);
/// the address must be public (private, loopback and link-local ones are refused here).
///
/// The file names where the key is, never the key; ``signer()`` reads it when needed.
/// Which banks are linked is not configuration: `finsync connect enablebanking` stores each
/// link (session) in the database.
public struct EnableBankingConfiguration: Sendable, Equatable {
    public static let defaultBaseURL = "https://api.enablebanking.com"
    public static let defaultRedirectURL = "https://127.0.0.1:8765/callback"

    public var name: String
    public var applicationID: String
    public var privateKeyFile: String
    public var redirectURL: String
    public var baseURL: String
    /// Fetch pending transactions too (default: booked only, as Enable Banking advises
    /// where pending references change on booking).
    public var pending: Bool
    /// What is sent as PSU headers when a person is present (nothing configured: none).
    public var psu: EnableBankingPSUHeaders

    public init(name: String = "main", applicationID: String, privateKeyFile: String, redirectURL: String = EnableBankingConfiguration.defaultRedirectURL,
                baseURL: String = EnableBankingConfiguration.defaultBaseURL, pending: Bool = false, psu: EnableBankingPSUHeaders = EnableBankingPSUHeaders()) {
        self.name = name
        self.applicationID = applicationID
        self.privateKeyFile = privateKeyFile
        self.redirectURL = redirectURL
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.pending = pending
        self.psu = psu
    }

    /// Reads the private key file and builds the signer.
    /// - Throws: ``ConfigurationProblem`` naming the file (never its content).
    public func signer() throws -> EnableBankingTokenSigner {
        guard let data = FileManager.default.contents(atPath: privateKeyFile) else {
            throw ConfigurationProblem(key: "private_key_file", message: "cannot read \(privateKeyFile) (the application's private key, <application-id>.pem)")
        }
        return try EnableBankingTokenSigner(applicationID: applicationID, privateKeyPEM: String(decoding: data, as: UTF8.self), keyDescription: privateKeyFile)
    }

    static let knownKeys: Set<String> = ["name", "application_id", "private_key_file", "redirect_url", "base_url", "pending", "psu_ip_address", "psu_user_agent"]

    /// Every valid `[[enablebanking]]` table and every problem, each named by its key
    /// (`enablebanking[1].application_id`).
    public static func parseCollectingProblems(from root: TOMLTable) -> (configurations: [EnableBankingConfiguration], problems: [ConfigurationProblem]) {
        guard let value = root["enablebanking"] else { return ([], []) }
        guard let array = value.array else {
            return ([], [ConfigurationProblem(key: "enablebanking", message: "must be an array of tables: write each application as [[enablebanking]]")])
        }
        var out: [EnableBankingConfiguration] = [], problems: [ConfigurationProblem] = [], names = Set<String>()
        for (i, element) in array.enumerated() {
            let prefix = "enablebanking[\(i)]"
            guard let t = element.table else {
                problems.append(.init(key: prefix, message: "must be a table with application_id and private_key_file"))
                continue
            }
            var fields: [String: String] = [:], pending = false, ok = true
            for key in t.keys.sorted() {
                if key == "pending" {
                    guard let b = t[key]?.bool else { problems.append(.init(key: "\(prefix).pending", message: "must be true or false")); ok = false; continue }
                    pending = b
                } else if !knownKeys.contains(key) {
                    let hint = ["private_key", "key", "secret", "jwt", "token"].contains(key)
                        ? "the key must not be in the file; name the file holding it with private_key_file"
                        : "unknown key; expected one of \(knownKeys.sorted().joined(separator: ", "))"
                    problems.append(.init(key: "\(prefix).\(key)", message: hint)); ok = false
                } else if let s = t[key]?.string {
                    fields[key] = s
                } else {
                    problems.append(.init(key: "\(prefix).\(key)", message: "must be a string")); ok = false
                }
            }
            guard ok else { continue }
            guard let app = fields["application_id"], UUID(uuidString: app) != nil else {
                problems.append(.init(key: "\(prefix).application_id", message: "must be the application's id (a UUID, shown in the control panel)")); continue
            }
            guard let keyFile = fields["private_key_file"], !keyFile.isEmpty else {
                problems.append(.init(key: "\(prefix).private_key_file", message: "name the file holding the application's private key (<application-id>.pem)")); continue
            }
            let name = fields["name"] ?? "main"
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                problems.append(.init(key: "\(prefix).name", message: "\"\(name)\" may only contain letters, digits, '-' and '_'")); continue
            }
            guard names.insert(name.lowercased()).inserted else {
                problems.append(.init(key: "\(prefix).name", message: "application name \"\(name)\" is used twice")); continue
            }
            let psu = psuHeaders(fields, prefix: prefix, problems: &problems)
            guard let psu else { continue }
            let c = EnableBankingConfiguration(name: name, applicationID: app.lowercased(), privateKeyFile: keyFile,
                                               redirectURL: fields["redirect_url"] ?? defaultRedirectURL, baseURL: fields["base_url"] ?? defaultBaseURL, pending: pending, psu: psu)
            for (key, url) in [("base_url", c.baseURL), ("redirect_url", c.redirectURL)] {
                guard let u = URL(string: url), let scheme = u.scheme, ["http", "https"].contains(scheme), let host = u.host, !host.isEmpty else {
                    problems.append(.init(key: "\(prefix).\(key)", message: "\"\(url)\" is not an http(s) URL")); ok = false; continue
                }
                if key == "base_url", ProviderURLPolicy.isPlainHTTPOffLoopback(u) {
                    problems.append(.init(key: "\(prefix).base_url", message: ProviderURLPolicy.plainHTTPProblem(carrying: "the signed tokens"))); ok = false
                }
            }
            if ok { out.append(c) }
        }
        return (out, problems)
    }

    /// `psu_ip_address` (trimmed; a public IPv4/IPv6 address) and `psu_user_agent` (trimmed,
    /// printable), or nil after appending the problems naming the key.
    static func psuHeaders(_ fields: [String: String], prefix: String, problems: inout [ConfigurationProblem]) -> EnableBankingPSUHeaders? {
        var psu = EnableBankingPSUHeaders(), ok = true
        if let raw = fields["psu_ip_address"] {
            // Trimmed: an address fetched from icanhazip.com ends in a newline (firefly-iii#12523).
            let ip = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if let why = PublicIPAddress.problem(ip) {
                problems.append(.init(key: "\(prefix).psu_ip_address",
                                      message: "\"\(ip)\" \(why); banks accept only the public address of the person's connection (leave it out to send no PSU headers)"))
                ok = false
            } else {
                psu.ipAddress = ip
            }
        }
        if let raw = fields["psu_user_agent"] {
            let ua = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if ua.isEmpty || ua.count > 512 || ua.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || !$0.isASCII }) {
                problems.append(.init(key: "\(prefix).psu_user_agent", message: "must be a browser user agent: 1 to 512 printable ASCII characters"))
                ok = false
            } else {
                psu.userAgent = ua
            }
        }
        return ok ? psu : nil
    }

    /// Problems that depend on the machine: the key file must exist and hold an RSA key.
    public func environmentProblems(index: Int) -> [ConfigurationProblem] {
        do { _ = try signer() } catch let e as ConfigurationProblem {
            return [ConfigurationProblem(key: "enablebanking[\(index)].\(e.key)", message: e.message)]
        } catch {
            return [ConfigurationProblem(key: "enablebanking[\(index)].private_key_file", message: "\(privateKeyFile) cannot be used")]
        }
        return []
    }
}
