using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Infrastructure.Connectors.Demo;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Tests.Api;

/// <summary>
/// The placement-rule and headroom API in production mode on SQLite and PostgreSQL: bad enums (names and numbers), NUL,
/// too few VMs and out-of-range percentages are 400s naming the field; a taken name and a stale version are 409s; an
/// unknown rule is 404 and an approver's change 403, each a ProblemDetails, never a 500.
/// </summary>
public abstract class RuleApiTests<TFactory>(TFactory factory) where TFactory : PortalWebFactory
{
    private const string Operator = "u-olga|Olga|Operator";
    private const string Approver = "u-anna|Anna|Approver";

    private async Task<(Guid Connection, Guid[] Vms)> DemoAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var connection = await db.Connections.Where(c => c.Endpoint == DemoWorldShape.Endpoint).Select(c => c.Id).FirstAsync();
        var vms = await db.Vms.Where(v => v.ConnectionId == connection && v.HostName == "demo-esx-b3").OrderBy(v => v.Name).Select(v => v.Id).Take(3).ToArrayAsync();
        return (connection, vms);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }

    [Theory]
    [InlineData("""{"connectionId":"{c}","name":"r","kind":9,"enforcement":"Must","vmIds":["{v0}","{v1}"]}""", "Kind", "is not one of")]
    [InlineData("""{"connectionId":"{c}","name":"r","kind":"Sometimes","enforcement":"Must","vmIds":["{v0}","{v1}"]}""", "Kind", "")]
    [InlineData("""{"connectionId":"{c}","name":"r","kind":"KeepApart","enforcement":3,"vmIds":["{v0}","{v1}"]}""", "Enforcement", "is not one of")]
    [InlineData("""{"connectionId":"{c}","name":"r\u0000","kind":"KeepApart","enforcement":"Must","vmIds":["{v0}","{v1}"]}""", "Name", "NUL")]
    [InlineData("""{"connectionId":"{c}","name":"r","kind":"KeepTogether","enforcement":"Must","vmIds":["{v0}"]}""", "VmIds", "at least 2 VMs")]
    [InlineData("""{"connectionId":"{c}","name":"r","kind":"RunOnHostGroup","enforcement":"Should","vmIds":["{v0}"],"hostIds":[]}""", "HostIds", "at least one host")]
    [InlineData("""{"name":"r","kind":"KeepApart","enforcement":"Must","vmIds":["{v0}","{v1}"]}""", "ConnectionId", "exists")]
    public async Task AddRule_Answers400NamingTheField_ForBadInput(string body, string field, string words)
    {
        var (connection, vms) = await DemoAsync();
        using var client = factory.ClientFor(Operator);
        var filled = body.Replace("{c}", connection.ToString()).Replace("{v0}", vms[0].ToString()).Replace("{v1}", vms[1].ToString());
        using var response = await client.PostAsync("/api/v1/rules", new StringContent(filled, Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        var named = errors.EnumerateObject().FirstOrDefault(e => e.Name.Equals(field, StringComparison.OrdinalIgnoreCase) || e.Name.EndsWith("." + field, StringComparison.OrdinalIgnoreCase));
        Assert.True(named.Value.ValueKind == JsonValueKind.Array, $"no error under {field}: {errors}");
        Assert.Contains(words, named.Value.ToString());
    }

    [Fact]
    public async Task Rules_AreCreatedReadEditedAndDeleted_With409ForATakenNameOrAStaleVersion()
    {
        var (connection, vms) = await DemoAsync();
        using var client = factory.ClientFor(Operator);
        var name = $"api-{Guid.NewGuid():N}";
        using var created = await client.PostAsJsonAsync("/api/v1/rules", new { connectionId = connection, name, kind = "KeepApart", enforcement = "Should", vmIds = vms[..2] });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = rule.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/rules/{id}", created.Headers.Location?.ToString());
        Assert.Equal("KeepApart", rule.GetProperty("kind").GetString());

        using var taken = await client.PostAsJsonAsync("/api/v1/rules", new { connectionId = connection, name, kind = "KeepTogether", enforcement = "Must", vmIds = vms[1..3] });
        Assert.Contains("already has a rule called", (await ProblemAsync(taken, HttpStatusCode.Conflict)).GetProperty("detail").GetString());

        using var edited = await client.PutAsJsonAsync($"/api/v1/rules/{id}", new { name, kind = "KeepTogether", enforcement = "Must", vmIds = vms, version = 1 });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(3, (await edited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("vms").GetArrayLength());
        using var stale = await client.PutAsJsonAsync($"/api/v1/rules/{id}", new { name, kind = "KeepApart", enforcement = "Must", vmIds = vms, version = 1 });
        await ProblemAsync(stale, HttpStatusCode.Conflict);

        using var approver = factory.ClientFor(Approver);
        Assert.Equal(name, (await approver.GetFromJsonAsync<JsonElement>($"/api/v1/rules/{id}")).GetProperty("name").GetString());
        using var refused = await approver.DeleteAsync($"/api/v1/rules/{id}");
        await ProblemAsync(refused, HttpStatusCode.Forbidden);

        using var deleted = await client.DeleteAsync($"/api/v1/rules/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await client.GetAsync($"/api/v1/rules/{id}");
        await ProblemAsync(gone, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SetHeadroom_Answers400ForOutOfRange_404ForAnUnknownConnection_AndReadsBack()
    {
        var (connection, _) = await DemoAsync();
        using var client = factory.ClientFor(Operator);
        using var bad = await client.PutAsJsonAsync($"/api/v1/headroom/{connection}", new { clusterName = "Demo-Cluster-B", cpuPercent = 91, memoryPercent = 10 });
        Assert.True((await ProblemAsync(bad, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("CpuPercent", out _));
        using var unknown = await client.PutAsJsonAsync($"/api/v1/headroom/{Guid.NewGuid()}", new { clusterName = "Demo-Cluster-B", cpuPercent = 10, memoryPercent = 10 });
        await ProblemAsync(unknown, HttpStatusCode.NotFound);

        using var set = await client.PutAsJsonAsync($"/api/v1/headroom/{connection}", new { clusterName = "Demo-Cluster-B", cpuPercent = 0, memoryPercent = 1 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var list = await client.GetFromJsonAsync<JsonElement>($"/api/v1/headroom?connectionId={connection}");
        var b = list.EnumerateArray().Single(h => h.GetProperty("clusterName").GetString() == "Demo-Cluster-B");
        Assert.Equal((1, true), (b.GetProperty("memoryPercent").GetInt32(), b.GetProperty("configured").GetBoolean()));
        using var reset = await client.PutAsJsonAsync($"/api/v1/headroom/{connection}", new { clusterName = "Demo-Cluster-B", cpuPercent = 0, memoryPercent = 0 });
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
    }
}

public sealed class SqliteRuleApiTests(ProductionWebFactory factory) : RuleApiTests<ProductionWebFactory>(factory), IClassFixture<ProductionWebFactory>;

public sealed class PostgreSqlRuleApiTests(PostgreSqlProductionWebFactory factory) : RuleApiTests<PostgreSqlProductionWebFactory>(factory), IClassFixture<PostgreSqlProductionWebFactory>;
