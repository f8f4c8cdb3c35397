using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;
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
    private static readonly Dictionary<(string Method, string Pattern), Dictionary<string, int>> Expected = new()
    {
        [("GET", "/api/v1/vms")] = Row(200, 200, 200, 200, 200, 200),
        [("POST", "/api/v1/vms/sync/{connectionId}")] = Row(403, 403, 403, 200, 200, 403),
        [("GET", "/api/v1/requests")] = Row(200, 200, 200, 200, 200, 200),
        [("GET", "/api/v1/requests/{id}")] = Row(200, 403, 200, 200, 200, 200),
        [("POST", "/api/v1/requests")] = Row(201, 403, 403, 403, 201, 403),
        [("POST", "/api/v1/requests/{id}/cancel")] = Row(200, 403, 403, 200, 200, 403),
        [("POST", "/api/v1/requests/{id}/approve")] = Row(403, 403, 200, 403, 403, 403),
        [("POST", "/api/v1/requests/{id}/reject")] = Row(403, 403, 200, 403, 403, 403),
        [("GET", "/api/v1/audit")] = Row(403, 403, 403, 403, 200, 200),
        [("GET", "/api/v1/audit/export")] = Row(403, 403, 403, 403, 200, 200),
        [("POST", "/api/v1/audit/verify")] = Row(403, 403, 403, 403, 200, 200),
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
        var requestId = pattern.Contains("{id}") ? await CreatePendingRequestAsync() : Guid.Empty;
        var url = pattern.Replace("{id}", requestId.ToString()).Replace("{connectionId}", (await DemoConnectionIdAsync()).ToString());
        using var client = factory.ClientFor(Callers[caller]);
        using var response = await SendAsync(client, method, url);

        var expected = Expected[(method, pattern)][caller];
        Assert.True(expected == (int)response.StatusCode, $"{method} {pattern} as {caller}: expected {expected}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        if (expected == 403) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        if (requestId != Guid.Empty) await CancelQuietlyAsync(requestId);
        if (method == "POST" && pattern == "/api/v1/requests" && response.StatusCode == HttpStatusCode.Created)
            await CancelQuietlyAsync((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }

    [Theory]
    [InlineData("GET", "/api/v1/requests/{missing}")]
    [InlineData("POST", "/api/v1/requests/{missing}/approve")]
    [InlineData("POST", "/api/v1/requests/{missing}/cancel")]
    public async Task Endpoint_Answers404_ForUnknownId(string method, string pattern)
    {
        using var client = factory.ClientFor(pattern.Contains("approve") ? Approver : Administrator);
        using var response = await SendAsync(client, method, pattern.Replace("{missing}", Guid.NewGuid().ToString()));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
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

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string url) => method switch
    {
        "GET" => client.GetAsync(url),
        _ when url.EndsWith("/approve") || url.EndsWith("/reject") => client.PostAsJsonAsync(url, new { comment = "matrix test" }),
        _ when url.EndsWith("/cancel") => client.PostAsJsonAsync(url, new { reason = "matrix test" }),
        _ when url == "/api/v1/requests" => SubmitAsync(client),
        _ => client.PostAsync(url, null),
    };

    private static int _vmCursor;

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
        var vm = vms[Interlocked.Increment(ref _vmCursor) % (vms.Count - 1)];
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
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Connections.Where(c => c.Kind == ConnectionKinds.Demo).Select(c => c.Id).FirstAsync();
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
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var apps = await db.Applications.Include(a => a.Owners).ToListAsync();
        apps.Single(a => a.Name == "demo-payments").AddOwner(OwnerKind.User, "u-rita");
        apps.Single(a => a.Name == "demo-crm").AddOwner(OwnerKind.Group, "crm-owners");
        await db.SaveChangesAsync();
    }
}
