import ArgumentParser
import Foundation
import Logging
import ProviderFakes
import ServiceLifecycle

/// `finsync sandbox`: serves the built-in fake GoCardless bank on 127.0.0.1 until interrupted,
/// printing a finsync.toml snippet that points at it.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve the built-in sandbox bank (a fake GoCardless API on 127.0.0.1) until Ctrl-C.",
        discussion: "For a one-off sync against it, `finsync sync --sandbox` is simpler."
    )

    @Option(help: "Successful calls allowed per account and scope per day.") var quota = 100

    func run() async throws {
        let sandbox = try await GoCardlessSandbox.start(accountQuota: quota)
        print("""
            sandbox GoCardless API at \(sandbox.baseURL)

            # finsync.toml
            [gocardless]
            base_url = "\(sandbox.baseURL)"
            secret_id_env = "GOCARDLESS_SECRET_ID"
            secret_key_env = "GOCARDLESS_SECRET_KEY"

            # environment (fake credentials)
            export GOCARDLESS_SECRET_ID=\(sandbox.secretID)
            export GOCARDLESS_SECRET_KEY=\(sandbox.secretKey)

            Press Ctrl-C to stop.
            """)
        fflush(nil)
        // Wait for SIGINT/SIGTERM.
        let group = ServiceGroup(configuration: .init(services: [UntilShutdown()], gracefulShutdownSignals: [.sigint, .sigterm], logger: Logger(label: "finsync.sandbox")))
        try await group.run()
        await sandbox.stop()
        print("sandbox stopped")
    }
}

/// A service that does nothing until the process is asked to stop.
private struct UntilShutdown: Service {
    func run() async throws { try? await gracefulShutdown() }
}
