import Foundation

/// The time a fake server sees. Tests share a ``ManualFakeProviderClock`` with the client's
/// sleeper, so "waiting until the rate-limit reset" advances the server's time too.
public protocol FakeProviderClock: Sendable {
    var now: Date { get }
}
