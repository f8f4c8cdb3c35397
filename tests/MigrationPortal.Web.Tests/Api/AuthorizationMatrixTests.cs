using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;
using MigrationPortal.Application.Requests;
using MigrationPortal.Web.Api;

namespace MigrationPortal.Web.Tests.Api;

/// <summary>
/// Every API endpoint × every role, plus a requester of another application and an anonymous caller. The expected
/// status is the table below; an endpoint added to the API without a row here fails <see cref="Matrix_CoversEveryApiEndpoint"/>.
/// </summary>
public sealed class AuthorizationMatrixTests(PortalWebFactory factory) : IClassFixture<PortalWebFactory>
{
    // Rita owns demo-payments; Otto owns demo-crm through a group.
    private const string Requester = "u-rita|Rita|Requester";
    private const string OtherRequester = "u-otto|Otto|Requester|crm-owners";
    private const string Approver = "u-anna|Anna|Approver";
    private const string Operator = "u-olga|Olga|Operator";
    private const string Administrator = "u-adam|Adam|Administrator";
    private const string Auditor = "u-aldo|Aldo|Auditor";

    private static readonly Dictionary<string, string?> Callers = new()
    {
        ["requester"] = Requester, ["other-requester"] = OtherRequester, ["approver"] = Approver,
        ["operator"] = Operator, ["administrator"] = Administrator, ["auditor"] = Auditor, ["anonymous"] = null,
    };

    // route → caller → expected status. {id} is a fresh pending request of Rita's application; {missing} an unknown ID.
    internal static readonly Dictionary<(string Method, string Pattern), Dictionary<string, int>> Expected = new()
    {
        [("GET", "/api/v1/vms")] = Row(200, 200, 200, 200, 200, 200),
        [("POST", "/api/v1/vms/sync/{connectionId}")] = Row(403, 403, 403, 200, 200, 403),
        [("PUT", "/api/v1/vms/{id}/application")] = Row(403, 403, 403, 403, 204, 403),
        [("GET", "/api/v1/requests")] = Row(200, 200, 200, 200, 200, 200),
        [("GET", "/api/v1/requests/{id}")] = Row(200, 403, 200, 200, 200, 200),
        [("POST", "/api/v1/requests")] = Row(201, 403, 403, 403, 201, 403),
        [("POST", "/api/v1/requests/{id}/cancel")] = Row(200, 403, 403, 200, 200, 403),
        [("POST", "/api/v1/requests/{id}/approve")] = Row(403, 403, 200, 403, 403, 403),
        [("POST", "/api/v1/requests/{id}/reject")] = Row(403, 403, 200, 403, 403, 403),
        [("GET", "/api/v1/audit")] = Row(403, 403, 403, 403, 200, 200),
        [("GET", "/api/v1/audit/export")] = Row(403, 403, 403, 403, 200, 200),
        [("POST", "/api/v1/audit/verify")] = Row(403, 403, 403, 403, 200, 200),
        [("POST", "/api/v1/requests/{id}/retry")] = Row(403, 403, 403, 200, 200, 403),
        [("POST", "/api/v1/requests/{id}/rollback")] = Row(403, 403, 403, 200, 200, 403),
        [("POST", "/api/v1/requests/{id}/recheck")] = Row(403, 403, 403, 200, 200, 403),
        // A fresh pending request has no post-move watch: the requester and Operators pass authorization and meet 409.
        [("POST", "/api/v1/requests/{id}/watch/rollback")] = Row(409, 403, 403, 409, 409, 403),
        [("POST", "/api/v1/batches")] = Row(201, 403, 403, 403, 201, 403),
        [("POST", "/api/v1/batches/{id}/approve")] = Row(403, 403, 200, 403, 403, 403),
        [("POST", "/api/v1/batches/{id}/reject")] = Row(403, 403, 200, 403, 403, 403),
        // A requester resolves only their own applications' VMs, so Otto's file naming Rita's VM is a row error (400), not a 403.
        [("POST", "/api/v1/waves/validate")] = Row(200, 400, 403, 403, 200, 403),
        [("POST", "/api/v1/waves/dry-run")] = Row(200, 200, 403, 403, 200, 403),
        [("POST", "/api/v1/waves")] = Row(201, 400, 403, 403, 201, 403),
        [("GET", "/api/v1/waves/{id}/results")] = Row(200, 403, 200, 200, 200, 200),
        [("GET", "/api/v1/hosts")] = Row(403, 403, 200, 200, 200, 200),
        [("GET", "/api/v1/datastores")] = Row(403, 403, 200, 200, 200, 200),
        [("GET", "/api/v1/hosts/{id}/evacuation")] = Row(403, 403, 403, 200, 200, 403),
        [("POST", "/api/v1/hosts/{id}/evacuation")] = Row(403, 403, 403, 201, 201, 403),
        [("GET", "/api/v1/connections")] = Row(403, 403, 403, 200, 200, 200),
        [("POST", "/api/v1/connections")] = Row(403, 403, 403, 403, 201, 403),
        [("PUT", "/api/v1/connections/{id}")] = Row(403, 403, 403, 403, 200, 403),
        [("POST", "/api/v1/connections/{id}/test")] = Row(403, 403, 403, 403, 200, 403),
        [("POST", "/api/v1/connections/{id}/sync")] = Row(403, 403, 403, 202, 202, 403),
        [("GET", "/api/v1/applications")] = Row(200, 200, 200, 200, 200, 200),
        [("POST", "/api/v1/applications")] = Row(403, 403, 403, 403, 201, 403),
        [("PUT", "/api/v1/applications/{id}")] = Row(403, 403, 403, 403, 204, 403),
        [("DELETE", "/api/v1/applications/{id}")] = Row(403, 403, 403, 403, 204, 403),
        [("GET", "/api/v1/application-owners")] = Row(403, 403, 403, 403, 200, 403),
        [("GET", "/api/v1/approval-rules")] = Row(403, 403, 200, 403, 200, 200),
        [("PUT", "/api/v1/approval-rules")] = Row(403, 403, 403, 403, 204, 403),
        [("GET", "/api/v1/users")] = Row(403, 403, 403, 403, 200, 403),
        [("POST", "/api/v1/users")] = Row(403, 403, 403, 403, 201, 403),
        [("PUT", "/api/v1/users/{id}/access")] = Row(403, 403, 403, 403, 204, 403),
        [("PUT", "/api/v1/users/{id}/password")] = Row(403, 403, 403, 403, 204, 403),
        [("GET", "/api/v1/windows")] = Row(200, 200, 200, 200, 200, 200),
        [("POST", "/api/v1/windows")] = Row(403, 403, 403, 201, 201, 403),
        [("PUT", "/api/v1/windows/{id}")] = Row(403, 403, 403, 200, 200, 403),
        [("DELETE", "/api/v1/windows/{id}")] = Row(403, 403, 403, 204, 204, 403),
        [("POST", "/api/v1/blackouts")] = Row(403, 403, 403, 201, 201, 403),
        [("PUT", "/api/v1/blackouts/{id}")] = Row(403, 403, 403, 200, 200, 403),
        [("DELETE", "/api/v1/blackouts/{id}")] = Row(403, 403, 403, 204, 204, 403),
        [("GET", "/api/v1/concurrency-limits")] = Row(403, 403, 403, 200, 200, 200),
        [("PUT", "/api/v1/concurrency-limits")] = Row(403, 403, 403, 403, 200, 403),
        [("GET", "/api/v1/calendar")] = Row(200, 200, 200, 200, 200, 200),
        [("POST", "/api/v1/calendar-feed")] = Row(200, 200, 200, 200, 200, 200),
        // Targets of a VM: whoever may ask to move it. Tokens: everyone lists their own; creating one needs a local account
        // (the test scheme's users have none: 403 with the reason); a token is revoked by its owner (Rita's) or an Administrator,
        // and is "not found" to anyone else.
        [("GET", "/api/v1/vms/{id}/targets")] = Row(200, 403, 403, 403, 200, 403),
        [("GET", "/api/v1/tokens")] = Row(200, 200, 200, 200, 200, 200),
        [("POST", "/api/v1/tokens")] = Row(403, 403, 403, 403, 403, 403),
        [("DELETE", "/api/v1/tokens/{id}")] = Row(204, 404, 404, 404, 204, 404),
        // Conversion maps: read by requesters (who pick one), operators and administrators; changed by administrators only.
        [("GET", "/api/v1/conversion-maps")] = Row(200, 200, 403, 200, 200, 403),
        [("GET", "/api/v1/network-maps")] = Row(200, 200, 403, 200, 200, 403),
        [("GET", "/api/v1/network-maps/{id}")] = Row(200, 200, 403, 200, 200, 403),
        [("POST", "/api/v1/network-maps")] = Row(403, 403, 403, 403, 201, 403),
        [("PUT", "/api/v1/network-maps/{id}")] = Row(403, 403, 403, 403, 200, 403),
        [("DELETE", "/api/v1/network-maps/{id}")] = Row(403, 403, 403, 403, 204, 403),
        [("GET", "/api/v1/storage-maps")] = Row(200, 200, 403, 200, 200, 403),
        [("GET", "/api/v1/storage-maps/{id}")] = Row(200, 200, 403, 200, 200, 403),
        [("POST", "/api/v1/storage-maps")] = Row(403, 403, 403, 403, 201, 403),
        [("PUT", "/api/v1/storage-maps/{id}")] = Row(403, 403, 403, 403, 200, 403),
        [("DELETE", "/api/v1/storage-maps/{id}")] = Row(403, 403, 403, 403, 204, 403),
        // Placement rules: read by everyone (a requester only rules holding their VMs, so Otto gets 404), changed by operators and administrators.
        [("GET", "/api/v1/rules")] = Row(200, 200, 200, 200, 200, 200),
        [("GET", "/api/v1/rules/{id}")] = Row(200, 404, 200, 200, 200, 200),
        [("POST", "/api/v1/rules")] = Row(403, 403, 403, 201, 201, 403),
        [("PUT", "/api/v1/rules/{id}")] = Row(403, 403, 403, 200, 200, 403),
        [("DELETE", "/api/v1/rules/{id}")] = Row(403, 403, 403, 204, 204, 403),
        [("GET", "/api/v1/headroom")] = Row(200, 200, 200, 200, 200, 200),
        [("PUT", "/api/v1/headroom/{connectionId}")] = Row(403, 403, 403, 200, 200, 403),
        // Recommendations: Operators and Administrators only. Accepting sends a fingerprint no plan has, so those two get past
        // authorization to the stale-plan check (409) and no batch is left behind to disturb other cases.
        [("GET", "/api/v1/optimize/groups")] = Row(403, 403, 403, 200, 200, 403),
        [("GET", "/api/v1/optimize/{connectionId}/balance")] = Row(403, 403, 403, 200, 200, 403),
        [("GET", "/api/v1/optimize/{connectionId}/consolidation")] = Row(403, 403, 403, 200, 200, 403),
        [("POST", "/api/v1/optimize/{connectionId}/accept")] = Row(403, 403, 403, 409, 409, 403),
    };

    private static Dictionary<string, int> Row(int requester, int other, int approver, int op, int admin, int auditor) => new()
    {
        ["requester"] = requester, ["other-requester"] = other, ["approver"] = approver, ["operator"] = op,
        ["administrator"] = admin, ["auditor"] = auditor, ["anonymous"] = 401,
    };

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var ((method, pattern), row) in Expected)
        foreach (var caller in row.Keys)
            data.Add(method, pattern, caller);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Endpoint_AnswersExpectedStatus_ForCaller(string method, string pattern, string caller)
    {
        await EnsureOwnershipAsync();
        var (url, cleanUp) = await PrepareAsync(method, pattern);
        using var client = factory.ClientFor(Callers[caller]);
        using var response = await SendAsync(client, method, url);

        var expected = Expected[(method, pattern)][caller];
        Assert.True(expected == (int)response.StatusCode, $"{method} {pattern} as {caller}: expected {expected}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        if (expected == 403) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await cleanUp(response);
    }

    [Fact]
    public async Task GetRequest_ReturnsAllowedActionsByName_PerCaller()
    {
        await EnsureOwnershipAsync();
        var id = await CreatePendingRequestAsync();
        try
        {
            async Task<JsonElement> ActionsAsync(string caller)
            {
                using var client = factory.ClientFor(caller);
                var body = await client.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}");
                return body.GetProperty("actions");
            }

            var requester = await ActionsAsync(Requester);
            Assert.True(requester.GetProperty("cancel").GetBoolean());
            Assert.False(requester.GetProperty("decide").GetBoolean());
            var approver = await ActionsAsync(Approver);
            Assert.True(approver.GetProperty("decide").GetBoolean());
            Assert.False(approver.GetProperty("cancel").GetBoolean());
            var auditor = await ActionsAsync(Auditor);
            Assert.All(new[] { "cancel", "retry", "rollBack", "decide" }, name => Assert.False(auditor.GetProperty(name).GetBoolean()));
        }
        finally
        {
            await CancelQuietlyAsync(id);
        }
    }

    [Fact]
    public async Task ListVms_FiltersAndAnswersPowerStateByEnumName_AndRefusesHypervisorWords()
    {
        using var client = factory.ClientFor(Administrator);
        var on = await client.GetFromJsonAsync<JsonElement>("/api/v1/vms?powerState=On&take=500");
        var items = on.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, v => Assert.Equal("On", v.GetProperty("powerState").GetString()));
        using var refused = await client.GetAsync("/api/v1/vms?powerState=poweredOn");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("PowerState", await refused.Content.ReadAsStringAsync());
    }

    /// <summary>Makes the resource each route needs (a fresh request, batch, connection or user) and says how to clean up after.</summary>
    private async Task<(string Url, Func<HttpResponseMessage, Task> CleanUp)> PrepareAsync(string method, string pattern)
    {
        Func<HttpResponseMessage, Task> nothing = _ => Task.CompletedTask;
        switch (pattern)
        {
            case "/api/v1/requests/{id}/retry" or "/api/v1/requests/{id}/rollback":
            {
                var id = await CreatePendingRequestAsync();
                await FailRequestAsync(id);
                return (pattern.Replace("{id}", id.ToString()), _ => FinishQuietlyAsync(id));
            }
            case "/api/v1/requests/{id}/recheck":
            {
                var id = await CreatePendingRequestAsync();
                await NeedAttentionAsync(id);
                return (pattern.Replace("{id}", id.ToString()), _ => FinishQuietlyAsync(id));
            }
            case var p when p.StartsWith("/api/v1/requests/{id}"):
            {
                var id = await CreatePendingRequestAsync();
                return (pattern.Replace("{id}", id.ToString()), _ => CancelQuietlyAsync(id));
            }
            case "/api/v1/requests" when method == "POST":
                return (pattern, async r =>
                {
                    if (r.StatusCode == HttpStatusCode.Created) await CancelQuietlyAsync((await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
                });
            case "/api/v1/batches":
                return (pattern, async r =>
                {
                    if (r.StatusCode != HttpStatusCode.Created) return;
                    foreach (var request in (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requests").EnumerateArray())
                        await CancelQuietlyAsync(request.GetProperty("id").GetGuid());
                });
            case "/api/v1/waves":
                return (pattern, async r =>
                {
                    if (r.StatusCode != HttpStatusCode.Created) return;
                    await using var scope = factory.Services.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
                    foreach (var wave in (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("waves").EnumerateArray())
                    {
                        var batchId = wave.GetProperty("batchId").GetGuid();
                        foreach (var id in await db.Requests.Where(q => q.BatchId == batchId).Select(q => q.Id).ToListAsync()) await CancelQuietlyAsync(id);
                    }
                });
            case var p when p.StartsWith("/api/v1/batches/{id}") || p.StartsWith("/api/v1/waves/{id}"):
            {
                using var client = factory.ClientFor(Requester);
                using var created = await SubmitBatchAsync(client);
                Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
                var batch = await created.Content.ReadFromJsonAsync<JsonElement>();
                var requests = batch.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToList();
                return (pattern.Replace("{id}", batch.GetProperty("id").GetGuid().ToString()), async _ => { foreach (var id in requests) await CancelQuietlyAsync(id); });
            }
            case "/api/v1/hosts/{id}/evacuation":
                return (pattern.Replace("{id}", (await EvacuationHostIdAsync()).ToString()), async r =>
                {
                    if (r.StatusCode != HttpStatusCode.Created) return;
                    foreach (var request in (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requests").EnumerateArray())
                        await CancelQuietlyAsync(request.GetProperty("id").GetGuid());
                });
            case "/api/v1/vms/{id}/targets":
                return (pattern.Replace("{id}", (await VmOfAsync("demo-payments", 3)).ToString()), nothing);
            case "/api/v1/tokens/{id}":
            {
                await using var scope = factory.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
                var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
                var secret = MigrationPortal.Application.AccessTokens.AccessTokenSecret.New();
                var token = new MigrationPortal.Domain.Access.AccessToken("u-rita", "Rita", "matrix", MigrationPortal.Application.AccessTokens.AccessTokenSecret.Hash(secret),
                    secret[..9], null, now, now.AddDays(1));
                db.AccessTokens.Add(token);
                await db.SaveChangesAsync();
                return (pattern.Replace("{id}", token.Id.ToString()), nothing);
            }
            case "/api/v1/vms/{id}/application":
                return (pattern.Replace("{id}", (await CreateUntaggedVmAsync()).ToString()), nothing);
            case "/api/v1/vms/sync/{connectionId}":
                return (pattern.Replace("{connectionId}", (await DemoConnectionIdAsync()).ToString()), nothing);
            case "/api/v1/connections/{id}/test":
            case "/api/v1/connections/{id}/sync":
                return (pattern.Replace("{id}", (await DemoConnectionIdAsync()).ToString()), nothing);
            case "/api/v1/connections/{id}":
                return (pattern.Replace("{id}", (await CreateVSphereConnectionAsync()).ToString()), nothing);
            case "/api/v1/applications/{id}" when method == "DELETE":
            {
                // A fresh application with no VMs: one that VMs are mapped to is refused (409), which is not what this row is about.
                using var admin = factory.ClientFor(Administrator);
                using var created = await admin.PostAsJsonAsync("/api/v1/applications", new { name = $"matrix-{Guid.NewGuid():N}" });
                Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
                return (pattern.Replace("{id}", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid().ToString()), nothing);
            }
            case "/api/v1/applications/{id}":
                return (pattern.Replace("{id}", (await ApplicationIdAsync("demo-analytics")).ToString()), nothing);
            case "/api/v1/windows/{id}" or "/api/v1/blackouts/{id}":
            {
                // Created disabled, so no matrix window ever binds the demo VMs other cases submit requests for.
                using var admin = factory.ClientFor(Administrator);
                using var created = await admin.PostAsJsonAsync(pattern.Replace("/{id}", ""), PeriodBody($"matrix-{Guid.NewGuid():N}"));
                Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
                return (pattern.Replace("{id}", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid().ToString()), nothing);
            }
            case var p when p.StartsWith("/api/v1/network-maps") || p.StartsWith("/api/v1/storage-maps") || p == "/api/v1/conversion-maps":
            {
                s_mapPair = await MapFixtures.PairAsync(factory.Services);
                if (!p.Contains("{id}")) return (pattern, nothing);
                using var admin = factory.ClientFor(Administrator);
                using var created = await admin.PostAsJsonAsync(pattern.Replace("/{id}", ""), MapBody(pattern, $"matrix-{Guid.NewGuid():N}"));
                Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
                return (pattern.Replace("{id}", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid().ToString()), nothing);
            }
            case "/api/v1/rules" when method == "POST":
                s_demoConnection = await DemoConnectionIdAsync();
                s_ruleVms = [await VmOfAsync("demo-payments", 0), await VmOfAsync("demo-payments", 1)];
                return (pattern, async r =>
                {
                    if (r.StatusCode == HttpStatusCode.Created) await DeleteRuleAsync((await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
                });
            case "/api/v1/rules/{id}":
            {
                // A fresh Should rule on two of Rita's VMs: it blocks no other case's request, and each case edits version 1.
                s_ruleVms = [await VmOfAsync("demo-payments", 0), await VmOfAsync("demo-payments", 1)];
                using var admin = factory.ClientFor(Administrator);
                using var created = await admin.PostAsJsonAsync("/api/v1/rules", RuleBody($"matrix-{Guid.NewGuid():N}", await DemoConnectionIdAsync()));
                Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
                var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
                return (pattern.Replace("{id}", id.ToString()), _ => DeleteRuleAsync(id));
            }
            case var p when p.StartsWith("/api/v1/optimize/{connectionId}"):
                return (pattern.Replace("{connectionId}", (await DemoConnectionIdAsync()).ToString()) + (method == "GET" ? "?cluster=Demo-Cluster-A" : ""), nothing);
            case "/api/v1/headroom/{connectionId}":
                s_demoConnection = await DemoConnectionIdAsync();
                return (pattern.Replace("{connectionId}", s_demoConnection.ToString()), nothing);
            case "/api/v1/users/{id}/access" or "/api/v1/users/{id}/password":
                return (pattern.Replace("{id}", await CreateLocalUserAsync()), nothing);
            default:
                return (pattern, nothing);
        }
    }

    [Theory]
    [InlineData("GET", "/api/v1/requests/{missing}")]
    [InlineData("POST", "/api/v1/requests/{missing}/approve")]
    [InlineData("POST", "/api/v1/requests/{missing}/cancel")]
    [InlineData("GET", "/api/v1/hosts/{missing}/evacuation")]
    [InlineData("GET", "/api/v1/optimize/{missing}/balance")]
    [InlineData("GET", "/api/v1/optimize/{missing}/consolidation")]
    [InlineData("DELETE", "/api/v1/applications/{missing}")]
    [InlineData("PUT", "/api/v1/applications/{missing}")]
    public async Task Endpoint_Answers404_ForUnknownId(string method, string pattern)
    {
        using var client = factory.ClientFor(pattern.Contains("approve") ? Approver : Administrator);
        using var response = await SendAsync(client, method, pattern.Replace("{missing}", Guid.NewGuid().ToString()));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task DeleteApplication_Answers409NamingTheVmCount_WhenVmsAreMappedToIt()
    {
        using var admin = factory.ClientFor(Administrator);
        using var response = await admin.DeleteAsync($"/api/v1/applications/{await ApplicationIdAsync("demo-payments")}");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Matches(@"[1-9]\d* VM\(s\) are mapped to it", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Submit_Answers400WithFields_ForBadInput()
    {
        await EnsureOwnershipAsync();
        using var client = factory.ClientFor(Requester);
        var vm = await VmOfAsync("demo-payments", 14);
        using var response = await client.PostAsJsonAsync("/api/v1/requests", new { vmId = vm, kind = 0, live = true, targetHostId = "nope", justification = "" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("Justification", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("TargetHostId", out _));
    }

    [Fact]
    public void Matrix_CoversEveryApiEndpoint()
    {
        var mapped = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/") == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => (m, Normalise(e.RoutePattern.RawText!))))
            .ToHashSet();
        var listed = ApiEndpoints.Routes.ToHashSet();
        Assert.Equal(listed.OrderBy(x => x.ToString()), mapped.OrderBy(x => x.ToString()));
        Assert.Equal(listed.OrderBy(x => x.ToString()), Expected.Keys.ToHashSet().OrderBy(x => x.ToString()));
    }

    private static string Normalise(string raw) => System.Text.RegularExpressions.Regex.Replace(raw, @"\{(\w+):\w+\}", "{$1}");

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string url) => (method, url) switch
    {
        ("GET", _) => client.GetAsync(url),
        (_, var u) when u.EndsWith("/approve") || u.EndsWith("/reject") => client.PostAsJsonAsync(url, new { comment = "matrix test" }),
        (_, var u) when u.EndsWith("/cancel") || u.EndsWith("/retry") || u.EndsWith("/rollback") || u.EndsWith("/recheck") => client.PostAsJsonAsync(url, new { reason = "matrix test" }),
        ("POST", "/api/v1/requests") => SubmitAsync(client),
        ("POST", "/api/v1/batches") => SubmitBatchAsync(client),
        ("POST", var u) when u.StartsWith("/api/v1/waves") => PostWaveAsync(client, url),
        ("POST", var u) when u.EndsWith("/evacuation") => SubmitEvacuationAsync(client, url),
        ("POST", var u) when u.EndsWith("/accept") => client.PostAsJsonAsync(url,
            new { clusterName = "Demo-Cluster-A", strategy = "Balance", fingerprint = "stale-fingerprint", justification = "matrix test" }),
        ("POST", "/api/v1/connections") => client.PostAsJsonAsync(url, ConnectionBody($"vc-{Guid.NewGuid():N}")),
        ("PUT", var u) when u.StartsWith("/api/v1/connections/") => client.PutAsJsonAsync(url, ConnectionBody($"vc-{Guid.NewGuid():N}")),
        ("PUT", var u) when u.EndsWith("/application") => client.PutAsJsonAsync(url, new { applicationId = (Guid?)null }),
        ("POST", "/api/v1/applications") => client.PostAsJsonAsync(url, new { name = $"matrix-{Guid.NewGuid():N}", environment = "test" }),
        ("PUT", var u) when u.StartsWith("/api/v1/applications/") => client.PutAsJsonAsync(url, new { environment = "test", criticality = "low", owners = Array.Empty<object>() }),
        ("PUT", "/api/v1/approval-rules") => client.PutAsJsonAsync(url, Array.Empty<object>()),
        ("POST" or "PUT", var u) when u.StartsWith("/api/v1/windows") || u.StartsWith("/api/v1/blackouts") =>
            method == "POST" ? client.PostAsJsonAsync(url, PeriodBody($"matrix-{Guid.NewGuid():N}")) : client.PutAsJsonAsync(url, PeriodBody($"matrix-{Guid.NewGuid():N}")),
        ("DELETE", _) => client.DeleteAsync(url),
        ("POST", "/api/v1/rules") => client.PostAsJsonAsync(url, RuleBody($"matrix-{Guid.NewGuid():N}", s_demoConnection)),
        ("PUT", var u) when u.StartsWith("/api/v1/rules/") => client.PutAsJsonAsync(url, RuleBody($"matrix-{Guid.NewGuid():N}", null, version: 1)),
        ("PUT", var u) when u.StartsWith("/api/v1/headroom/") => client.PutAsJsonAsync(url, new { clusterName = "Demo-Cluster-A", cpuPercent = 0, memoryPercent = 0 }),
        ("POST", var u) when u.Contains("-maps") => client.PostAsJsonAsync(url, MapBody(u, $"matrix-{Guid.NewGuid():N}")),
        ("PUT", var u) when u.Contains("-maps/") => client.PutAsJsonAsync(url, MapBody(u, $"matrix-{Guid.NewGuid():N}", version: 1)),
        ("PUT", "/api/v1/concurrency-limits") => client.PutAsJsonAsync(url, new
        {
            limits = new[] { new { kind = "vsphere", resource = "host", value = 8 }, new { kind = "portal", resource = "global", value = 64 } },
        }),
        ("POST", "/api/v1/tokens") => client.PostAsJsonAsync(url, new { name = "matrix", expiresInDays = 1 }),
        ("POST", "/api/v1/users") => client.PostAsJsonAsync(url, new { userName = $"user-{Guid.NewGuid():N}", displayName = "Matrix", password = "Correct-horse-42", roles = new[] { "Requester" } }),
        ("PUT", var u) when u.EndsWith("/password") => client.PutAsJsonAsync(url, new { newPassword = "Another-horse-43" }),
        ("PUT", var u) when u.EndsWith("/access") => client.PutAsJsonAsync(url, new { roles = new[] { "Auditor" }, groups = new[] { "auditors" } }),
        _ => client.PostAsync(url, null),
    };

    /// <summary>A valid, disabled window or blackout on the demo connection.</summary>
    private static object PeriodBody(string name, string recurrence = "Cron", string expression = "0 22 * * *", string zone = "Europe/Berlin", int minutes = 60) => new
    {
        name, recurrence, expression, timeZoneId = zone, localStart = "2026-01-01T22:00:00", durationMinutes = minutes,
        scopeKind = "Connection", scopeConnectionId = s_demoConnection, enabled = false,
    };

    private static Guid s_demoConnection;

    private static Guid[] s_ruleVms = [];

    /// <summary>A keep-apart Should rule on two of Rita's VMs (a Warning at most, so it blocks no other case's request).</summary>
    private static object RuleBody(string name, Guid? connectionId, int? version = null) => new
    {
        connectionId, name, kind = "KeepApart", enforcement = "Should", vmIds = s_ruleVms, version,
    };

    private async Task DeleteRuleAsync(Guid id)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PortalDbContext>().PlacementRules.Where(r => r.Id == id).ExecuteDeleteAsync();
    }

    private static MapFixtures.Pair s_mapPair = null!;

    private static object MapBody(string url, string name, int? version = null) =>
        url.Contains("network-maps") ? MapFixtures.NetworkBody(s_mapPair, name, version) : MapFixtures.StorageBody(s_mapPair, name, version);

    [Fact]
    public async Task CalendarFeed_ServesIcsByTokenAlone_And404sAReplacedToken()
    {
        await EnsureOwnershipAsync();
        using var client = factory.ClientFor(Operator);
        using var first = await client.PostAsync("/api/v1/calendar-feed", null);
        var firstUrl = new Uri((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!);

        using var anonymous = factory.ClientFor(null);
        using var feed = await anonymous.GetAsync(firstUrl.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        Assert.Equal("text/calendar", feed.Content.Headers.ContentType?.MediaType);
        var text = await feed.Content.ReadAsStringAsync();
        Assert.StartsWith("BEGIN:VCALENDAR", text);
        Assert.Contains("PRODID:-//MigrationPortal//Calendar feed//EN", text);

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var token = firstUrl.Segments[^1].Replace(".ics", "");
            var stored = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().CalendarFeeds.Where(f => f.UserId == "u-olga").Select(f => f.TokenHash).SingleAsync();
            Assert.NotEqual(token, stored);
            Assert.Equal(MigrationPortal.Application.Scheduling.CreateCalendarFeed.Hash(token), stored);
        }

        using var second = await client.PostAsync("/api/v1/calendar-feed", null);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        using var replaced = await anonymous.GetAsync(firstUrl.PathAndQuery);
        Assert.Equal(HttpStatusCode.NotFound, replaced.StatusCode);
        using var guessed = await anonymous.GetAsync("/feeds/calendar/not-a-token.ics");
        Assert.Equal(HttpStatusCode.NotFound, guessed.StatusCode);
    }

    [Theory]
    [InlineData("RRule", "FREQ=SOMETIMES", "Europe/Berlin", 60, "Expression")]
    [InlineData("Cron", "61 25 * * *", "Europe/Berlin", 60, "Expression")]
    [InlineData("Cron", "0 22 * * *", "Mars/Olympus_Mons", 60, "TimeZoneId")]
    [InlineData("Cron", "0 22 * * *", "Europe/Berlin", 0, "DurationMinutes")]
    [InlineData("Cron", "0 22 * * *", "Europe/Berlin", -15, "DurationMinutes")]
    public async Task AddWindow_Answers400NamingTheField_ForBadInput(string recurrence, string expression, string zone, int minutes, string field)
    {
        await EnsureOwnershipAsync();
        using var client = factory.ClientFor(Operator);
        using var response = await client.PostAsJsonAsync("/api/v1/windows", PeriodBody($"bad-{Guid.NewGuid():N}", recurrence, expression, zone, minutes));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
        Assert.False(string.IsNullOrWhiteSpace(errors.GetProperty(field)[0].GetString()));
    }

    [Fact]
    public async Task DeleteWindow_Answers400ListingTheRequests_WhileARequestIsScheduledIntoIt()
    {
        await EnsureOwnershipAsync();
        var (vm, target) = await PickVmAndTargetAsync();
        string sourceHost, vmName;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var row = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Vms.Where(v => v.Id == vm).Select(v => new { v.HostExternalId, v.Name }).FirstAsync();
            (sourceHost, vmName) = (row.HostExternalId!, row.Name);
        }

        using var operatorClient = factory.ClientFor(Operator);
        // Scoped to the VM's host only, so the other tests' VMs stay free to move at any time.
        using var created = await operatorClient.PostAsJsonAsync("/api/v1/windows", new
        {
            name = $"host-nightly-{Guid.NewGuid():N}", recurrence = "RRule", expression = "FREQ=DAILY", timeZoneId = "Europe/Berlin", localStart = "2026-01-01T23:00:00",
            durationMinutes = 120, scopeKind = "Host", scopeConnectionId = s_demoConnection, scopeItem = sourceHost, enabled = true,
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var windowId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var requester = factory.ClientFor(Requester);
        using var submitted = await requester.PostAsJsonAsync("/api/v1/requests", new
        {
            vmId = vm, kind = "Compute", live = true, targetHostId = target, justification = "into the host window", scheduleMode = "ChosenWindow", windowId,
        });
        Assert.True(submitted.StatusCode == HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
        var requestId = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        try
        {
            using var refused = await operatorClient.DeleteAsync($"/api/v1/windows/{windowId}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var lines = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("Requests").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Contains("cannot be deleted: 1 waiting request is scheduled into it", lines[0]);
            Assert.StartsWith($"{vmName} (request {requestId.ToString()[..8]}", lines[1]);
        }
        finally
        {
            await CancelQuietlyAsync(requestId);
        }

        using var deleted = await operatorClient.DeleteAsync($"/api/v1/windows/{windowId}");
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
    }

    private static object ConnectionBody(string name) => new
    {
        name, kind = "vsphere", endpoint = "https://vcenter.example/sdk", username = "svc-portal", secret = "s3cret!", allowUnencryptedMigration = false,
    };

    /// <summary>A one-row wave file naming one of Rita's VMs by its portal ID, as text/csv.</summary>
    private static async Task<HttpResponseMessage> PostWaveAsync(HttpClient client, string url)
    {
        var (vm, host) = await s_instance!.PickVmAndTargetAsync();
        var csv = $"VM,Kind,TargetHost,Wave,Justification\n{vm},Compute,{host},matrix wave,matrix test\n";
        return await client.PostAsync(url, new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
    }

    private static async Task<HttpResponseMessage> SubmitBatchAsync(HttpClient client)
    {
        var (vm, host) = await s_instance!.PickVmAndTargetAsync();
        return await client.PostAsJsonAsync("/api/v1/batches", new
        {
            name = "matrix batch", justification = "matrix test",
            items = new[] { new { vmId = vm, kind = "Compute", live = false, targetHostId = host } },
        });
    }

    /// <summary>The host of the first demo-analytics VM with no active request: the evacuation cases move that one VM.</summary>
    private async Task<Guid> EvacuationHostIdAsync()
    {
        var (vm, _) = await EvacuationMoveAsync();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var hostExternalId = await db.Vms.Where(v => v.Id == vm).Select(v => v.HostExternalId).FirstAsync();
        return await db.Hosts.Where(h => h.ExternalId == hostExternalId).Select(h => h.Id).FirstAsync();
    }

    private async Task<(Guid Vm, string Target)> EvacuationMoveAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var active = RequestTransitionStates.Active;
        var busy = await db.Requests.Where(r => active.Contains(r.State)).Select(r => r.VmId).ToListAsync();
        var vm = (await db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == "demo-analytics")).OrderBy(v => v.Name).ToListAsync())
            .First(v => !busy.Contains(v.Id));
        var target = await db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).Select(h => h.ExternalId).FirstAsync();
        return (vm.Id, target);
    }

    private static async Task<HttpResponseMessage> SubmitEvacuationAsync(HttpClient client, string url)
    {
        var (vm, target) = await s_instance!.EvacuationMoveAsync();
        return await client.PostAsJsonAsync(url, new { justification = "matrix test", moves = new[] { new { vmId = vm, targetHostId = target, kind = "Compute" } } });
    }

    private async Task FailRequestAsync(Guid id)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var request = await db.LoadRequestAsync(id, default);
        var now = TimeProvider.System.GetUtcNow();
        request.Approve(new MigrationPortal.Domain.Common.Actor("u-anna", "Anna"), "ok", now);
        request.Start(now);
        request.Fail(now, "matrix test failure");
        await db.SaveChangesAsync();
    }

    /// <summary>A running request whose run could not tell whether its transfer started (issue 11 §3).</summary>
    private async Task NeedAttentionAsync(Guid id)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var request = await db.LoadRequestAsync(id, default);
        var now = TimeProvider.System.GetUtcNow();
        request.Approve(new MigrationPortal.Domain.Common.Actor("u-anna", "Anna"), "ok", now);
        request.Start(now);
        request.RequireAttention(now, "matrix test: the hypervisor could not say");
        await db.SaveChangesAsync();
    }

    /// <summary>Ends whatever a retry, rollback or recheck started, so the VM is free for the next case.</summary>
    private async Task FinishQuietlyAsync(Guid id)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var request = await db.LoadRequestAsync(id, default);
        var now = TimeProvider.System.GetUtcNow();
        if (request.State == MigrationPortal.Domain.Requests.RequestState.RollingBack) request.CompleteRollback(now, "test clean-up");
        else if (request.State == MigrationPortal.Domain.Requests.RequestState.Approved) request.Cancel(new MigrationPortal.Domain.Common.Actor("u-adam", "Adam"), now, "test clean-up");
        else if (request.State == MigrationPortal.Domain.Requests.RequestState.NeedsAttention) { request.Recheck(new MigrationPortal.Domain.Common.Actor("u-adam", "Adam"), now, "test clean-up"); request.Fail(now, "test clean-up"); }
        else if (request.State == MigrationPortal.Domain.Requests.RequestState.Running) request.Fail(now, "test clean-up");
        await db.SaveChangesAsync();
    }

    private async Task<Guid> CreateUntaggedVmAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var vm = new InventoryVm { ConnectionId = await DemoConnectionIdAsync(), ExternalId = $"untagged-{Guid.NewGuid():N}", Name = "untagged-vm" };
        db.Vms.Add(vm);
        await db.SaveChangesAsync();
        return vm.Id;
    }

    private async Task<Guid> CreateVSphereConnectionAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var connection = new Connection($"vc-{Guid.NewGuid():N}", ConnectionKinds.VSphere, "https://vcenter.example/sdk", "svc");
        db.Connections.Add(connection);
        await db.SaveChangesAsync();
        return connection.Id;
    }

    private async Task<Guid> ApplicationIdAsync(string name)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Applications.Where(a => a.Name == name).Select(a => a.Id).FirstAsync();
    }

    private async Task<string> CreateLocalUserAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var (id, errors) = await scope.ServiceProvider.GetRequiredService<MigrationPortal.Application.Abstractions.IAccountDirectory>()
            .CreateAsync($"matrix-{Guid.NewGuid():N}", "Matrix User", "Correct-horse-42", ["Requester"], default);
        Assert.True(id is not null, string.Join(" ", errors.SelectMany(e => e.Value)));
        return id!;
    }

    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient client)
    {
        var (vm, host) = await s_instance!.PickVmAndTargetAsync();
        return await client.PostAsJsonAsync("/api/v1/requests", new { vmId = vm, kind = 0, live = false, targetHostId = host, justification = "matrix test" });
    }

    private static AuthorizationMatrixTests? s_instance;

    private async Task<(Guid Vm, string Host)> PickVmAndTargetAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var vms = await db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == "demo-payments")).OrderBy(v => v.Name).ToListAsync();
        // A VM with no active request (index 14 is kept for the bad-input test); requests left RollingBack keep theirs.
        var active = RequestTransitionStates.Active;
        var busy = await db.Requests.Where(r => active.Contains(r.State)).Select(r => r.VmId).ToListAsync();
        var vm = vms.Take(14).First(v => !busy.Contains(v.Id));
        var host = await db.Hosts.Where(h => h.ClusterName == vm.ClusterName && h.ExternalId != vm.HostExternalId).Select(h => h.ExternalId).FirstAsync();
        return (vm.Id, host);
    }

    private async Task<Guid> CreatePendingRequestAsync()
    {
        using var client = factory.ClientFor(Requester);
        using var response = await SubmitAsync(client);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task CancelQuietlyAsync(Guid id)
    {
        using var admin = factory.ClientFor(Administrator);
        using var _ = await admin.PostAsJsonAsync($"/api/v1/requests/{id}/cancel", new { reason = "test clean-up" });
    }

    private async Task<Guid> DemoConnectionIdAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Connections.Where(c => c.Endpoint == MigrationPortal.Infrastructure.Connectors.Demo.DemoWorldShape.Endpoint).Select(c => c.Id).FirstAsync();
    }

    private async Task<Guid> VmOfAsync(string app, int index)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.Vms.Where(v => db.Applications.Any(a => a.Id == v.ApplicationId && a.Name == app)).OrderBy(v => v.Name).Skip(index).Select(v => v.Id).FirstAsync();
    }

    private async Task EnsureOwnershipAsync()
    {
        s_instance = this;
        s_demoConnection = await DemoConnectionIdAsync();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var apps = await db.Applications.Include(a => a.Owners).ToListAsync();
        apps.Single(a => a.Name == "demo-payments").AddOwner(OwnerKind.User, "u-rita");
        apps.Single(a => a.Name == "demo-crm").AddOwner(OwnerKind.Group, "crm-owners");
        await db.SaveChangesAsync();
    }
}

internal static class RequestTransitionStates
{
    public static readonly MigrationPortal.Domain.Requests.RequestState[] Active =
        Enum.GetValues<MigrationPortal.Domain.Requests.RequestState>().Where(MigrationPortal.Domain.Requests.RequestTransitions.IsActive).ToArray();
}
