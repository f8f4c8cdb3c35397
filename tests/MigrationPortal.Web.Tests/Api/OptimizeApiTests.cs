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
/// /api/v1/optimize in production mode on SQLite and PostgreSQL: a recommendation for a demo cluster, bad thresholds, NUL,
/// unknown strategies and a missing fingerprint are 400s naming the field; an unknown group 404; a stale fingerprint 409;
/// an approver 403; each a ProblemDetails, never a 500.
/// </summary>
public abstract class OptimizeApiTests<TFactory>(TFactory factory) where TFactory : PortalWebFactory
{
    private const string Operator = "u-olga|Olga|Operator";
    private const string Approver = "u-anna|Anna|Approver";

    private async Task<Guid> DemoConnectionAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Connections.Where(c => c.Endpoint == DemoWorldShape.Endpoint).Select(c => c.Id).FirstAsync();
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task Recommendations_ForADemoCluster_CarryTheWhatIf_AtEveryThreshold()
    {
        var connection = await DemoConnectionAsync();
        using var client = factory.ClientFor(Operator);

        var groups = await client.GetFromJsonAsync<JsonElement>("/api/v1/optimize/groups");
        Assert.Contains(groups.EnumerateArray(), g => g.GetProperty("clusterName").GetString() == "Demo-Cluster-A" && g.GetProperty("hostCount").GetInt32() == 3);

        // Level 1 recommends nothing and has no target (JSON has no infinity): still a 200.
        foreach (var level in new[] { 1, 5 })
        {
            var balance = await client.GetFromJsonAsync<JsonElement>($"/api/v1/optimize/{connection}/balance?cluster=Demo-Cluster-A&threshold={level}");
            Assert.Equal("Balance", balance.GetProperty("strategy").GetString());
            Assert.Equal(3, balance.GetProperty("hosts").GetArrayLength());
            Assert.Equal(32, balance.GetProperty("fingerprint").GetString()!.Length);
            if (level == 1) Assert.Equal(0, balance.GetProperty("moves").GetArrayLength());
        }

        var consolidation = await client.GetFromJsonAsync<JsonElement>($"/api/v1/optimize/{connection}/consolidation?cluster=Demo-Cluster-A");
        Assert.Equal("Consolidate", consolidation.GetProperty("strategy").GetString());
        Assert.True(consolidation.GetProperty("savings").GetProperty("wattsPerHost").GetDouble() > 0);
        Assert.NotEqual(JsonValueKind.Null, consolidation.GetProperty("solver").ValueKind);
        // The schedule's fields are added beside the old ones: each move ends after it starts, and the window's last end is the latest end.
        var moves = consolidation.GetProperty("moves").EnumerateArray().ToList();
        Assert.All(moves, m => Assert.True(m.GetProperty("plannedEnd").GetDateTimeOffset() > m.GetProperty("plannedStart").GetDateTimeOffset()));
        var window = consolidation.GetProperty("window");
        if (moves.Count > 0)
        {
            Assert.Equal(moves.Max(m => m.GetProperty("plannedEnd").GetDateTimeOffset()), window.GetProperty("lastEnd").GetDateTimeOffset());
            Assert.True(window.GetProperty("maxConcurrent").GetInt32() >= 1);
        }
    }

    [Fact]
    public async Task BadInput_Is400NamingTheField_UnknownGroup404_StaleFingerprint409_Approver403()
    {
        var connection = await DemoConnectionAsync();
        using var client = factory.ClientFor(Operator);

        var threshold = await ProblemAsync(await client.GetAsync($"/api/v1/optimize/{connection}/balance?cluster=Demo-Cluster-A&threshold=9"), HttpStatusCode.BadRequest);
        Assert.True(threshold.GetProperty("errors").TryGetProperty("ThresholdLevel", out _));
        await ProblemAsync(await client.GetAsync($"/api/v1/optimize/{connection}/balance?threshold=abc"), HttpStatusCode.BadRequest);
        var nul = await ProblemAsync(await client.GetAsync($"/api/v1/optimize/{connection}/consolidation?cluster=a%00b"), HttpStatusCode.BadRequest);
        Assert.True(nul.GetProperty("errors").TryGetProperty("ClusterName", out _));
        await ProblemAsync(await client.GetAsync($"/api/v1/optimize/{connection}/consolidation?cluster=no-such-cluster"), HttpStatusCode.NotFound);
        await ProblemAsync(await client.GetAsync($"/api/v1/optimize/{Guid.NewGuid()}/balance"), HttpStatusCode.NotFound);

        var url = $"/api/v1/optimize/{connection}/accept";
        var noStrategy = await ProblemAsync(await client.PostAsJsonAsync(url, new { clusterName = "Demo-Cluster-A", fingerprint = "x", justification = "y" }), HttpStatusCode.BadRequest);
        Assert.True(noStrategy.GetProperty("errors").TryGetProperty("Strategy", out _));
        using var sideways = new StringContent("""{"clusterName":"Demo-Cluster-A","strategy":"Sideways","fingerprint":"x","justification":"y"}""", Encoding.UTF8, "application/json");
        await ProblemAsync(await client.PostAsync(url, sideways), HttpStatusCode.BadRequest);
        var empty = await ProblemAsync(await client.PostAsJsonAsync(url, new { clusterName = "Demo-Cluster-A", strategy = "Balance" }), HttpStatusCode.BadRequest);
        Assert.True(empty.GetProperty("errors").TryGetProperty("Fingerprint", out _));
        Assert.True(empty.GetProperty("errors").TryGetProperty("Justification", out _));
        var stale = await ProblemAsync(await client.PostAsJsonAsync(url, new { clusterName = "Demo-Cluster-A", strategy = "Balance", fingerprint = "0123", justification = "y" }),
            HttpStatusCode.Conflict);
        Assert.Contains("changed since it was shown", stale.GetProperty("detail").GetString());

        using var approver = factory.ClientFor(Approver);
        await ProblemAsync(await approver.GetAsync($"/api/v1/optimize/{connection}/balance?cluster=Demo-Cluster-A"), HttpStatusCode.Forbidden);
    }
}

public sealed class SqliteOptimizeApiTests(ProductionWebFactory factory) : OptimizeApiTests<ProductionWebFactory>(factory), IClassFixture<ProductionWebFactory>;

public sealed class PostgreSqlOptimizeApiTests(PostgreSqlProductionWebFactory factory) : OptimizeApiTests<PostgreSqlProductionWebFactory>(factory), IClassFixture<PostgreSqlProductionWebFactory>;
