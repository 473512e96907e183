import Testing

@testable import ModelServer

@Suite struct InferenceResponderTests {
    @Test func inferencePathsAreMatchedAndEverythingElseGoesToTheRouter() {
        #expect(InferenceResponder.inferTarget("/v2/models/demo/infer")! == ("demo", nil))
        #expect(InferenceResponder.inferTarget("/v2/models/demo/versions/3/infer")! == ("demo", "3"))
        #expect(InferenceResponder.inferTarget("/v2/models/versions/infer")! == ("versions", nil))
        for path in [
            "/v2/models//infer", "/v2/models/demo/infer/", "/v2/models/demo/versions/infer", "/v2/models/de%2Fmo/infer",
            "/v2/models/demo/versions//infer", "/v2/models/demo/ready", "/v2/models/a/b/infer", "/v2/health/live", "/",
        ] {
            #expect(InferenceResponder.inferTarget(path) == nil, "\(path)")
        }
    }
}
