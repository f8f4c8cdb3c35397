using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Infrastructure.Persistence;
using MigrationPortal.Web.Auth;

namespace MigrationPortal.Web.Tests.Auth;

/// <summary>
/// The sign-in endpoint is rate limited per user name and per client address. What is dropped answers 429 (or, for a
/// browser, the sign-in page with a friendly message) and is counted, then audited as one summary row, not one row each.
/// </summary>
public sealed class SignInRateLimitTests
{
    public sealed class PerUserFactory : PortalWebFactory
    {
        protected override bool UseTestAuthentication => false;

        protected override IEnumerable<(string Key, string Value)> ExtraSettings =>
            [("SignInRateLimit:PerUserNamePermitLimit", "3"), ("SignInRateLimit:PerAddressPermitLimit", "1000"), ("SignInRateLimit:Window", "01:00:00"),
             ("SignInRateLimit:SummaryInterval", "01:00:00")];
    }

    public sealed class PerAddressFactory : PortalWebFactory
    {
        protected override bool UseTestAuthentication => false;

        protected override IEnumerable<(string Key, string Value)> ExtraSettings =>
            [("SignInRateLimit:PerUserNamePermitLimit", "1000"), ("SignInRateLimit:PerAddressPermitLimit", "4"), ("SignInRateLimit:Window", "01:00:00")];
    }

    public sealed class PerUser(PerUserFactory factory) : IClassFixture<PerUserFactory>
    {
        [Fact]
        public async Task SignIn_Answers429AndAuditsOneSummary_WhenOneUserNameIsTriedTooOften()
        {
            var userName = await SignInForm.CreateUserAsync(factory.Services, "brute");
            using var client = factory.ClientFor(null);
            var statuses = new List<HttpStatusCode>();
            HttpResponseMessage? rejected = null;
            for (var i = 0; i < 7; i++)
            {
                var response = await SignInForm.PostAsync(client, userName, $"guess-{i}-password");
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests) rejected ??= response;
                else response.Dispose();
            }

            Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Redirect, 3), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 4)], statuses);
            using (rejected)
            {
                Assert.Equal("application/problem+json", rejected!.Content.Headers.ContentType?.MediaType);
                Assert.True(rejected.Headers.RetryAfter is not null, "A 429 says when to try again.");
                var problem = await rejected.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(429, problem.GetProperty("status").GetInt32());
            }

            // Only the attempts that got through were audited one by one.
            Assert.Equal(3, await CountAsync(userName, "auth.sign-in-failed"));
            Assert.Equal(0, await CountThrottledAsync());

            // The dropped ones are written as one summary row when the counter is flushed (every minute on each node).
            await factory.Services.GetRequiredService<SignInThrottleLog>().FlushAsync(default);
            await using var scope = factory.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            // One row per client address (here every test shares the test server's address), naming the user names tried.
            var summary = await db.AuditEvents.SingleAsync(e => e.Action == "auth.sign-in-throttled" && e.Details.Contains(userName));
            Assert.Contains($"\"{userName}\":4", summary.Details);
            Assert.Matches("\"dropped\":[4-9]", summary.Details);
        }

        [Fact]
        public async Task SignIn_ShowsFriendlyMessage_WhenBrowserIsThrottled()
        {
            var userName = $"nobody-{Guid.NewGuid():N}"[..12];
            using var client = factory.ClientFor(null);
            for (var i = 0; i < 3; i++)
                using (await SignInForm.PostAsync(client, userName, "guess-password", asBrowser: true)) { }

            using var response = await SignInForm.PostAsync(client, userName, "guess-password", asBrowser: true);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            var location = response.Headers.Location!.ToString();
            Assert.StartsWith("/login?error=throttled", location);
            Assert.Contains("Too many sign-in attempts", await client.GetStringAsync(location));
        }

        [Fact]
        public async Task SignIn_ShowsErrorPage_WhenFormIsMalformed()
        {
            // The limiter reads the form first; a broken one (no antiforgery token can be read from it) must not end as a 500:
            // the person is sent back to a fresh sign-in form that says why.
            using var client = factory.ClientFor(null);
            using var content = new StringContent("--x\r\nContent-Disposition: form-data; name=\"userName\"\r\n\r\nbob", System.Text.Encoding.ASCII);
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");
            using var response = await client.PostAsync("/account/login", content);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/login?error=expired", response.Headers.Location!.ToString());
        }

        private async Task<int> CountThrottledAsync()
        {
            await using var scope = factory.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEvents.CountAsync(e => e.Action == "auth.sign-in-throttled");
        }

        private async Task<int> CountAsync(string userName, string action)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().AuditEvents.CountAsync(e => e.ActorName == userName && e.Action == action);
        }
    }

    public sealed class PerAddress(PerAddressFactory factory) : IClassFixture<PerAddressFactory>
    {
        [Fact]
        public async Task SignIn_Answers429_WhenOneAddressTriesManyUserNames()
        {
            using var client = factory.ClientFor(null);
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 6; i++)
            {
                using var response = await SignInForm.PostAsync(client, $"spray-{i}-{Guid.NewGuid():N}"[..14], "Summer2026!-password");
                statuses.Add(response.StatusCode);
            }

            Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Redirect, 4), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 2)], statuses);
        }
    }
}
