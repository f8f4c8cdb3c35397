using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Web.Tests.Auth;

/// <summary>
/// Personal access tokens through the real authentication pipeline (issue 14 §1): the first token made with the account's
/// password over HTTP Basic, then "Authorization: Bearer mpat_…" acting with the owner's roles or the chosen subset;
/// revoked, unknown and expired tokens get a 401 ProblemDetails; a token cannot mint tokens; each token is rate limited.
/// </summary>
public sealed class AccessTokenApiTests(AccessTokenApiTests.Factory factory) : IClassFixture<AccessTokenApiTests.Factory>
{
    public sealed class Factory : PortalWebFactory
    {
        protected override bool UseTestAuthentication => false;

        protected override IEnumerable<(string Key, string Value)> ExtraSettings => [("AccessTokens:RequestsPerMinute", "8")];
    }

    private const string Password = "Correct-horse-42";

    private async Task<string> AccountAsync(params string[] roles)
    {
        var name = $"tok-{Guid.NewGuid():N}"[..12];
        await using var scope = factory.Services.CreateAsyncScope();
        var (id, errors) = await scope.ServiceProvider.GetRequiredService<IAccountDirectory>().CreateAsync(name, name, Password, roles, default);
        Assert.True(id is not null, string.Join(" ", errors.SelectMany(e => e.Value)));
        return name;
    }

    private HttpClient Basic(string user, string password)
    {
        var client = factory.ClientFor(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    private HttpClient Bearer(string secret)
    {
        var client = factory.ClientFor(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    private async Task<(string Secret, string Id)> CreateTokenAsync(string user, object body)
    {
        using var client = Basic(user, Password);
        using var response = await client.PostAsJsonAsync("/api/v1/tokens", body);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToJsonString());
        return (json["secret"]!.GetValue<string>(), json["token"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bearer_ActsWithTheOwnersRoles_AndTheChosenSubsetLimitsThem()
    {
        var user = await AccountAsync("Requester", "Auditor");
        var (all, _) = await CreateTokenAsync(user, new { name = "all roles", expiresInDays = 5 });
        var (requesterOnly, _) = await CreateTokenAsync(user, new { name = "requester only", expiresInDays = 5, roles = new[] { "Requester" } });

        using (var full = Bearer(all))
        {
            Assert.Equal(HttpStatusCode.OK, (await full.GetAsync("/api/v1/vms")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await full.GetAsync("/api/v1/audit")).StatusCode);
        }

        using var narrowed = Bearer(requesterOnly);
        Assert.Equal(HttpStatusCode.OK, (await narrowed.GetAsync("/api/v1/vms")).StatusCode);
        using var audit = await narrowed.GetAsync("/api/v1/audit");
        Assert.Equal(HttpStatusCode.Forbidden, audit.StatusCode);
        Assert.Equal("application/problem+json", audit.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Bearer_Answers401ProblemDetails_WhenTheTokenIsRevokedOrUnknown()
    {
        var user = await AccountAsync("Requester");
        var (secret, id) = await CreateTokenAsync(user, new { name = "to revoke" });
        using var client = Bearer(secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/tokens")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/tokens/{id}")).StatusCode);
        using var revoked = await client.GetAsync("/api/v1/vms");
        using var unknown = await Bearer("mpat_" + new string('A', 43)).GetAsync("/api/v1/vms");

        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal("application/problem+json", revoked.Content.Headers.ContentType?.MediaType);
        Assert.Contains("revoked", await revoked.Content.ReadAsStringAsync());
        Assert.Contains("invalid_token", revoked.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Contains("not valid", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CreateToken_IsRefused_WithAWrongPassword_WithoutCredentials_AndWithAToken()
    {
        var user = await AccountAsync("Requester");
        var (secret, _) = await CreateTokenAsync(user, new { name = "first" });

        using var wrong = await Basic(user, "not-the-password").PostAsJsonAsync("/api/v1/tokens", new { name = "x" });
        using var anonymous = await factory.ClientFor(null).PostAsJsonAsync("/api/v1/tokens", new { name = "x" });
        using var viaToken = await Bearer(secret).PostAsJsonAsync("/api/v1/tokens", new { name = "x" });
        using var badBody = await Basic(user, Password).PostAsJsonAsync("/api/v1/tokens", new { name = "", expiresInDays = 400 });

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("HTTP Basic", await anonymous.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, viaToken.StatusCode);
        Assert.Contains("A token cannot create tokens", await viaToken.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badBody.StatusCode);
        var errors = JsonNode.Parse(await badBody.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("Name") && errors.ContainsKey("ExpiresInDays"), errors.ToJsonString());
    }

    [Fact]
    public async Task Bearer_IsRateLimitedPerToken_With429AndRetryAfter()
    {
        var user = await AccountAsync("Requester");
        var (busy, _) = await CreateTokenAsync(user, new { name = "busy" });
        var (quiet, _) = await CreateTokenAsync(user, new { name = "quiet" });
        using var client = Bearer(busy);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++) statuses.Add((await client.GetAsync("/api/v1/tokens")).StatusCode);
        using var limited = await client.GetAsync("/api/v1/tokens");

        Assert.Equal(8, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        // The other token has its own budget.
        Assert.Equal(HttpStatusCode.OK, (await Bearer(quiet).GetAsync("/api/v1/tokens")).StatusCode);
    }
}
