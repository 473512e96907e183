import Datasets
import Foundation
import Testing

@Suite struct CSVImportTests {
    @Test func importsNumericAndCategoricalColumnsWithOneHot() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let url = try f.write("d.csv", "a,colour,label\n1.5,red,yes\n2,blue,no\n-3e1,red,yes\n4,,no\n")
        let outcome = try f.importFile(url)
        #expect(outcome.created)
        #expect(outcome.digest.count == 64)
        #expect(outcome.schema.features == ["a", "colour=blue", "colour=red"])
        #expect(outcome.schema.label == LabelSchema(column: "label", task: .classification, classNames: ["no", "yes"]))
        let version = try f.store.open(digest: outcome.digest)
        #expect(version.rowCount == 4)
        let (features, labels) = version.rows(0..<4)
        #expect(features == [1.5, 0, 1, 2, 1, 0, -30, 0, 1, 4, 0, 0])
        #expect(labels == [1, 0, 1, 0])
        let a = try #require(outcome.statistics.column(named: "a"))
        #expect(a.count == 4 && a.missing == 0)
        #expect(a.min == -30 && a.max == 4)
        #expect(abs(a.mean! - (-22.5 / 4)) < 1e-9)
        let colour = try #require(outcome.statistics.column(named: "colour"))
        #expect(colour.missing == 1)
        #expect(colour.histogram.levels == ["blue", "red"] && colour.histogram.counts == [1, 2])
        #expect(outcome.statistics.classCounts == [2, 2])
        for name in ["data.bin", "schema.json", "stats.json", "manifest.json"] {
            #expect(FileManager.default.fileExists(atPath: outcome.directory.appendingPathComponent(name).path))
        }
        #expect(f.storeEntries() == [outcome.digest])
    }

    @Test func sameContentWithDifferentQuotingHasTheSameDigest() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let plain = try f.write("plain.csv", "x,name,label\n1,a b,0\n2.50,c,1\n")
        let quoted = try f.write("quoted.csv", "\"x\",\"name\",\"label\"\r\n\"1\",\"a b\",0\r\n\r\n2.5,\"c\",\"1\"")
        let first = try f.importFile(plain)
        let second = try f.importFile(quoted)
        #expect(first.digest == second.digest)
        #expect(first.created && !second.created)
        #expect(f.storeEntries() == [first.digest])
        let other = try f.write("other.csv", "x,name,label\n1,a b,0\n2.51,c,1\n")
        #expect(try f.importFile(other).digest != first.digest)
    }

    @Test func quotedFieldsMayHoldDelimitersNewlinesAndQuotes() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let url = try f.write(
            "q.csv", "text,y\n\"a,b\",1\n\"line\nbreak\",2\n\"say \"\"hi\"\"\",3\nplain,4\n\"a,b\",5\n")
        let outcome = try f.importFile(url) {
            $0.label = .named("y"); $0.task = .regression
        }
        let levels = outcome.schema.column(named: "text")?.levels
        #expect(levels == ["a,b", "line\nbreak", "plain", "say \"hi\""])
        #expect(outcome.statistics.rows == 5)
    }

    @Test func unparsableValueNamesFileLineColumnAndText() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        var text = "a,b,label\n"
        for i in 0..<20 { text += "\(i),\(i * 2),\(i % 2)\n" }
        text += "3,4o,1\n"
        let url = try f.write("typo.csv", text)
        let error = datasetError { _ = try f.importFile(url) }
        #expect(
            error
                == .unparsableValue(
                    at: SourcePosition(file: url.path, line: 22, column: 2, columnName: "b"),
                    text: "4o", expected: "a number"))
        #expect(error?.description.contains("typo.csv:22: column 2 (\"b\"): expected a number, found \"4o\"") == true)
        #expect(error?.qualityIssue.check == .unparsableValue)
        #expect(f.storeEntries().isEmpty)
    }

    @Test func raggedRowIsAnError() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let url = try f.write("r.csv", "a,b,label\n1,2,0\n3,1\n")
        #expect(
            datasetError { _ = try f.importFile(url) }
                == .raggedRow(at: SourcePosition(file: url.path, line: 3), expected: 3, found: 2))
        #expect(f.storeEntries().isEmpty)
    }

    @Test func missingLabelColumnIsAnError() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let url = try f.write("m.csv", "a,b\n1,2\n")
        #expect(
            datasetError { _ = try f.importFile(url) { $0.label = .named("target") } }
                == .missingLabelColumn(file: url.path, label: "target", available: ["a", "b"]))
        #expect(
            datasetError { _ = try f.importFile(url) }
                == .missingLabelColumn(file: url.path, label: nil, available: ["a", "b"]))
        let unlabelled = try f.importFile(url) { $0.label = .none }
        #expect(unlabelled.schema.label == nil)
        #expect(try f.store.open(digest: unlabelled.digest).rows(0..<1).labels[0].isNaN)
    }

    @Test func emptyAndHeaderOnlyFilesHaveNoRows() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let empty = try f.write("empty.csv", "")
        #expect(datasetError { _ = try f.importFile(empty) } == .emptyFile(file: empty.path))
        let header = try f.write("header.csv", "a,b,label\n")
        #expect(datasetError { _ = try f.importFile(header) } == .noRows(file: header.path))
        #expect(datasetError { _ = try f.importFile(header) }?.qualityIssue.check == .zeroRows)
        #expect(f.storeEntries().isEmpty)
    }

    @Test func nonFiniteValuesNeedPermission() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let url = try f.write("nf.csv", "a,b,label\n1,2,0\n3,inf,1\n5,6,0\n")
        #expect(
            datasetError { _ = try f.importFile(url) }
                == .nonFiniteValue(at: SourcePosition(file: url.path, line: 3, column: 2, columnName: "b"), text: "inf")
        )
        #expect(f.storeEntries().isEmpty)
        let outcome = try f.importFile(url) { $0.allowNonFinite = true }
        let (features, _) = try f.store.open(digest: outcome.digest).rows(1..<2)
        #expect(features[1] == .infinity)
    }

    @Test func warningsForConstantDuplicateImbalancedAndMissing() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        var text = "const,sparse,x,label\n"
        for i in 0..<30 { text += "7,\(i % 2 == 0 ? "" : "1"),\(i),\(i < 29 ? 0 : 1)\n" }
        text += "7,1,29,1\n"
        let url = try f.write("w.csv", text)
        let outcome = try f.importFile(url)
        let checks = Dictionary(grouping: outcome.warnings, by: \.check)
        #expect(checks[.constantColumn]?.first?.column == "const")
        #expect(checks[.manyMissing]?.first?.column == "sparse")
        #expect(checks[.duplicateRows]?.first?.detail.contains("1 rows repeat an earlier row") == true)
        #expect(checks[.classImbalance]?.first?.column == "label")
        #expect(outcome.warnings.allSatisfy { $0.severity == .warning })
    }

    @Test func strictTurnsWarningsIntoErrorsAndStoresNothing() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let url = try f.write("s.csv", "a,b,label\n1,5,0\n2,5,1\n3,5,0\n")
        guard case .qualityChecksFailed(let issues)? = datasetError({ _ = try f.importFile(url) { $0.strict = true } })
        else {
            Issue.record("expected qualityChecksFailed")
            return
        }
        #expect(issues.map(\.check) == [.constantColumn])
        #expect(issues.allSatisfy { $0.severity == .error })
        #expect(f.storeEntries().isEmpty)
        #expect(try f.importFile(url).warnings.count == 1)
    }

    @Test func taskInferenceAndOverride() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let ints = try f.write("ints.csv", "x,label\n1,3\n2,1\n3,3\n")
        let classified = try f.importFile(ints)
        #expect(classified.schema.label?.task == .classification)
        #expect(classified.schema.label?.classNames == ["1", "3"])
        #expect(try f.store.open(digest: classified.digest).labels() == [1, 0, 1])
        let regressed = try f.importFile(ints) { $0.task = .regression }
        #expect(regressed.schema.label?.task == .regression)
        #expect(try f.store.open(digest: regressed.digest).labels() == [3, 1, 3])
        #expect(regressed.digest != classified.digest)
        let reals = try f.write("reals.csv", "x,label\n1,0.5\n2,1.5\n")
        #expect(try f.importFile(reals).schema.label?.task == .regression)
        if case .invalidRequest? = datasetError({ _ = try f.importFile(reals) { $0.task = .classification } }) {
        } else {
            Issue.record("classification of a real-valued label must fail")
        }
        let text = try f.write("text.csv", "x,label\n1,a\n2,b\n")
        if case .invalidRequest? = datasetError({ _ = try f.importFile(text) { $0.task = .regression } }) {
        } else {
            Issue.record("regression on a text label must fail")
        }
    }

    @Test func missingLabelValueIsAnError() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        let url = try f.write("ml.csv", "x,label\n1,0\n2,\n")
        guard case .unparsableValue(let at, _, _)? = datasetError({ _ = try f.importFile(url) }) else {
            Issue.record("expected unparsableValue")
            return
        }
        #expect(at.line == 3 && at.column == 2)
    }

    @Test func tooManyLevelsIsAnError() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        var text = "id,label\n"
        for i in 0..<50 { text += "user\(i),\(i % 2)\n" }
        let url = try f.write("ids.csv", text)
        #expect(
            datasetError { _ = try f.importFile(url) { $0.maxLevels = 10 } }
                == .tooManyLevels(file: url.path, column: "id", limit: 10))
    }

    @Test func rowsSpanManyBlocksAndReadByOffset() throws {
        let f = try StoreFixture()
        defer { f.remove() }
        var text = "a,b,label\n"
        let n = 70_000
        for i in 0..<n { text += "\(i),\(-i),\(i % 3)\n" }
        let outcome = try f.importFile(try f.write("big.csv", text))
        let version = try f.store.open(digest: outcome.digest)
        #expect(version.layout.blockCount > 1)
        var seen = 0
        let range = (version.layout.rowsPerBlock - 5)..<(version.layout.rowsPerBlock + 5)
        var slices = 0
        version.withRows(range) { slice in
            slices += 1
            for r in 0..<slice.count {
                let row = slice.firstRow + r
                #expect(slice.features[r * 2] == Float(row) && slice.features[r * 2 + 1] == -Float(row))
                #expect(slice.labels[r] == Float(row % 3))
                seen += 1
            }
        }
        #expect(seen == 10 && slices == 2)
        let shards = Shard.partition(digest: outcome.digest, rowCount: n, count: 3)
        #expect(shards.map(\.rows.count) == [23_334, 23_333, 23_333])
        var total = 0
        for shard in shards { version.withShard(shard) { total += $0.count } }
        #expect(total == n)
        let median = try #require(outcome.statistics.column(named: "a")?.quantiles?[5])
        #expect(abs(median - Double(n - 1) / 2) < Double(n) * 0.02)
        var gathered = [Float](repeating: 0, count: 4)
        var labels = [Float](repeating: 0, count: 2)
        version.gatherRows([69_999, 3], features: &gathered, labels: &labels)
        #expect(gathered == [69_999, -69_999, 3, -3] && labels == [0, 0])

        // The huge-page copy reads the same rows, across blocks, in any order.
        let resident = try version.residentCopy()
        #expect(
            resident.rowCount == n && resident.digest == version.digest
                && resident.dataFileBytes == version.dataFileBytes)
        let indices = [0, 69_999, version.layout.rowsPerBlock, version.layout.rowsPerBlock - 1, 12_345, 3, 3]
        var fromFile = [Float](repeating: 0, count: indices.count * 2), fromMemory = fromFile
        var fileLabels = [Float](repeating: 0, count: indices.count), memoryLabels = fileLabels
        version.gatherRows(indices, features: &fromFile, labels: &fileLabels)
        resident.gatherRows(indices, features: &fromMemory, labels: &memoryLabels)
        #expect(fromMemory == fromFile && memoryLabels == fileLabels)
        #expect(fromMemory[2] == 69_999 && memoryLabels[1] == 0)
        #expect(resident.rows(0..<n).features == version.rows(0..<n).features)
    }
}
