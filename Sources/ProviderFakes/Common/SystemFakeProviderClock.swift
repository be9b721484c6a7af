import Foundation

/// Wall-clock time (the sandbox demo).
public struct SystemFakeProviderClock: FakeProviderClock {
    public init() {}
    public var now: Date { Date() }
}
