// PlanEndpointRequest (tracer/capture/endpoint_request.h): what the endpoint
// does with a request, without a server.
#include "tracer/capture/endpoint_request.h"

#include "gtest/gtest.h"

namespace tracelane::internal {
namespace {

using Action = EndpointPlan::Action;

EndpointPlan Plan(const std::string& method, const std::string& target,
                  std::vector<std::pair<std::string, std::string>> headers = {},
                  const std::string& token = "") {
  EndpointRequest r{method, target, std::move(headers)};
  EndpointPolicy p;
  p.token = token;
  p.max_seconds = 60;
  return PlanEndpointRequest(r, p);
}

TEST(EndpointRequestTest, RoutesAndValidates) {
  EXPECT_EQ(Plan("GET", "/debug/tracelane/").action, Action::kIndex);
  EXPECT_EQ(Plan("HEAD", "/debug/tracelane/").action, Action::kIndex);
  const EndpointPlan redirect = Plan("GET", "/debug/tracelane");
  EXPECT_EQ(redirect.status, 302);
  ASSERT_EQ(redirect.headers.size(), 1u);
  EXPECT_EQ(redirect.headers[0].second, "/debug/tracelane/");

  const EndpointPlan next = Plan("GET", "/debug/tracelane/trace?seconds=2.5");
  ASSERT_EQ(next.action, Action::kCapture);
  EXPECT_EQ(next.query.mode, CaptureMode::kNext);
  EXPECT_DOUBLE_EQ(next.query.seconds, 2.5);
  // Percent-encoded path and parameter name, '+' in a value.
  const EndpointPlan last = Plan("GET", "/debug/%74racelane/trace?%6Cast=3&x=a+b");
  ASSERT_EQ(last.action, Action::kCapture);
  EXPECT_EQ(last.query.mode, CaptureMode::kLast);
  EXPECT_DOUBLE_EQ(last.query.seconds, 3);
  EXPECT_DOUBLE_EQ(Plan("GET", "/debug/tracelane/trace").query.seconds, 5);

  for (const char* bad : {"?seconds=abc", "?seconds=0", "?seconds=61", "?last=-2", "?last=",
                          "?seconds=1&last=1", "?last=1&last=2", "?last=nan", "?seconds=inf"}) {
    const EndpointPlan p = Plan("GET", std::string("/debug/tracelane/trace") + bad);
    EXPECT_EQ(p.action, Action::kRespond) << bad;
    EXPECT_EQ(p.status, 400) << bad;
    EXPECT_EQ(p.body.rfind("tracelane endpoint: ", 0), 0u) << p.body;
  }
  EXPECT_EQ(Plan("GET", "/debug/tracelane/trace/x").status, 404);
  EXPECT_EQ(Plan("GET", "/").status, 404);
  EXPECT_NE(Plan("GET", "/nope?a=b").body.find("'/nope'"), std::string::npos);
  const EndpointPlan post = Plan("POST", "/debug/tracelane/trace?last=1");
  EXPECT_EQ(post.action, Action::kRespond);
  EXPECT_EQ(post.status, 405);
}

TEST(EndpointRequestTest, TokenComesFirstWhateverThePath) {
  const std::string token = "s3cret";
  const EndpointPlan missing = Plan("GET", "/debug/tracelane/trace?last=1", {}, token);
  EXPECT_EQ(missing.status, 401);
  EXPECT_NE(missing.body.find("missing"), std::string::npos);
  ASSERT_EQ(missing.headers.size(), 1u);
  EXPECT_EQ(missing.headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(Plan("GET", "/nope", {{"Authorization", "Bearer wrong"}}, token).status, 401);
  EXPECT_EQ(Plan("GET", "/", {{"Authorization", "s3cret"}}, token).status, 401);
  // Header names are case-insensitive; the first Authorization header counts.
  EXPECT_EQ(
      Plan("GET", "/debug/tracelane/trace?last=1", {{"authorization", "Bearer s3cret"}}, token)
          .action,
      Action::kCapture);
  EXPECT_EQ(Plan("GET", "/debug/tracelane/",
                 {{"Authorization", "Bearer x"}, {"Authorization", "Bearer s3cret"}}, token)
                .status,
            401);
}

TEST(EndpointRequestTest, DecodesTargets) {
  EXPECT_EQ(DecodePath("/a%2Fb%zz%4?x=%41"), "/a/b%zz%4");
  const auto q = DecodeQuery("/p?a=1&&b&c=%41+%42&=v&d=");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>{"b", ""}));
  EXPECT_EQ(q[2], (std::pair<std::string, std::string>{"c", "A B"}));
  EXPECT_EQ(q[3], (std::pair<std::string, std::string>{"", "v"}));
  EXPECT_EQ(q[4], (std::pair<std::string, std::string>{"d", ""}));
  EXPECT_TRUE(DecodeQuery("/p").empty());
}

}  // namespace
}  // namespace tracelane::internal
