import Foundation
import Testing
import TrainyardTestSupport

/// `trainyard config check`: YAML parsing, validation messages and exit statuses.
@Suite struct ConfigCLITests {
    func write(_ text: String, _ name: String, in home: TemporaryDirectory) throws -> String {
        let url = home.file(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func validFileResolvesDefaultsAndOverrides() throws {
        let home = try TemporaryDirectory("config")
        defer { home.remove() }
        let path = try write("data: {dataset: d, label: y}\nmodel: {kind: logistic}\n", "job.yaml", in: home)
        let result = try runTrainyard(["config", "check", path, "--set", "training.epochs=3", "--json"], home: home)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let training = try #require(json["training"] as? [String: Any])
        #expect(training["epochs"] as? Int == 3)
        #expect(training["batch_size"] as? Int == 256)
    }

    @Test func errorsNameFileKeyAndLine() throws {
        let home = try TemporaryDirectory("config")
        defer { home.remove() }
        let unknown = try write(
            "data: {dataset: d, label: y}\nmodel: {kind: logistic, hiden: [3]}\n", "a.yaml", in: home)
        let r1 = try runTrainyard(["config", "check", unknown], home: home)
        #expect(r1.status == 2)
        #expect(r1.stderr.contains("a.yaml") && r1.stderr.contains("model.hiden") && r1.stderr.contains("model.hidden"))

        let syntax = try write("data:\n  dataset: d\n   label: [\n", "b.yaml", in: home)
        let r2 = try runTrainyard(["config", "check", syntax], home: home)
        #expect(r2.status == 2)
        #expect(r2.stderr.contains("b.yaml") && r2.stderr.contains("3:"))

        let r3 = try runTrainyard(["config", "check", home.file("missing.yaml").path], home: home)
        #expect(r3.status == 2)
        #expect(r3.stderr.contains("missing.yaml"))

        let okFile = try write("data: {dataset: d, label: y}\nmodel: {kind: softmax}\n", "c.yaml", in: home)
        let r4 = try runTrainyard(["config", "check", okFile, "--set", "training.batch_size=big"], home: home)
        #expect(r4.status == 2)
        #expect(r4.stderr.contains("training.batch_size"))
        let r5 = try runTrainyard(["config", "check", okFile, "--set", "noequals"], home: home)
        #expect(r5.status == 2)
    }

    @Test func shippedExampleConfigsAreValid() throws {
        let home = try TemporaryDirectory("config")
        defer { home.remove() }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let configs = repo.appendingPathComponent("configs")
        let files = try FileManager.default.contentsOfDirectory(atPath: configs.path).filter { $0.hasSuffix(".yaml") }
        #expect(!files.isEmpty)
        for file in files where !file.contains("sweep") {
            let result = try runTrainyard(["config", "check", configs.appendingPathComponent(file).path], home: home)
            #expect(result.status == 0, "\(file): \(result.stderr)")
        }
    }
}
