import Foundation

/// The one rule for the provider URLs a configuration names (`base_url` of every provider):
/// plain http only to this machine (the fakes and the sandbox), https everywhere else, since
/// what the requests carry — secrets, API keys, signed tokens — must not cross a network
/// unencrypted.
enum ProviderURLPolicy {
    /// The host names that mean this machine.
    static let loopbackHosts: Set<String> = ["127.0.0.1", "localhost", "::1"]

    /// Whether `url` would send plain http to another machine.
    static func isPlainHTTPOffLoopback(_ url: URL) -> Bool {
        url.scheme == "http" && !loopbackHosts.contains(url.host ?? "")
    }

    /// The refusal for such a URL; `carrying` names what its requests carry.
    static func plainHTTPProblem(carrying: String) -> String {
        "plain http is only allowed on loopback (\(carrying) would cross the network unencrypted)"
    }
}
