import Dispatch
import Foundation
import Synchronization

/// Notes SIGINT/SIGTERM so a long-running command can finish its current step and stop.
final class ShutdownSignal: Sendable {
    private let flag = Mutex(false)
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []  // set once in init, kept alive

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            src.setEventHandler { [self] in flag.withLock { $0 = true } }
            src.resume()
            sources.append(src)
        }
    }

    var requested: Bool { flag.withLock { $0 } }
}
