using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Tests.Hosting;

/// <summary>
/// /health/live and /health/ready on a running node, on SQLite and PostgreSQL: anonymous, JSON with each check's status
/// and description, Degraded naming a connection whose sync is stale, 503 when the database is gone.
/// </summary>
public abstract class HealthEndpointTests<TFactory> where TFactory : HealthWebFactory, new()
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Live_AnswersHealthyToAnAnonymousCaller_WhenTheNodeRuns()
    {
        using var factory = new TFactory();
        using var response = await factory.ClientFor(null).GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal(0, body.GetProperty("checks").GetArrayLength()); // liveness depends on nothing
    }

    [Fact]
    public async Task Ready_ListsEveryCheckHealthyWithADescription_WhenEveryConnectionSyncedRecently()
    {
        using var factory = new TFactory();
        var client = factory.ClientFor(null);
        await SetSyncAsync(factory, TimeSpan.FromMinutes(1));

        // The Hangfire server's first heartbeat comes with its start, just after the host's.
        var (status, body) = await Eventually.ValueAsync(() => GetReadyAsync(client), r => StatusOf(r.Body) == "Healthy",
            Patience, "/health/ready to be Healthy");

        Assert.Equal(HttpStatusCode.OK, status);
        var checks = Checks(body);
        Assert.Equal(["connections-sync", "database", "hangfire"], checks.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("Hangfire's storage answers", body); // readable in the raw answer, not \u0027-escaped
        foreach (var (name, check) in checks)
        {
            Assert.Equal("Healthy", check.GetProperty("status").GetString());
            Assert.False(string.IsNullOrWhiteSpace(check.GetProperty("description").GetString()), $"{name} has no description");
        }
    }

    [Fact]
    public async Task Ready_IsDegradedNamingOnlyTheStaleConnection_WhenItsLastSyncIsOlderThanAnHour()
    {
        using var factory = new TFactory();
        var client = factory.ClientFor(null);
        await SetSyncAsync(factory, TimeSpan.FromMinutes(55)); // inside the one-hour threshold
        await AddConnectionAsync(factory, "vc-stale-east", "https://vc-east.internal.example/sdk", TimeSpan.FromHours(2), "InvalidLogin: user svc-secret-7f3 refused");

        var (status, body) = await Eventually.ValueAsync(() => GetReadyAsync(client), r => Checks(r.Body)["hangfire"].GetProperty("status").GetString() == "Healthy",
            Patience, "the Hangfire server's heartbeat");

        // Degraded is 200: a stale sync is the same on every node, so it must not take them all out of the load balancer.
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", StatusOf(body));
        var sync = Checks(body)["connections-sync"];
        Assert.Equal("Degraded", sync.GetProperty("status").GetString());
        var description = sync.GetProperty("description").GetString()!;
        Assert.Contains("vc-stale-east", description);
        Assert.Contains("last attempt failed", description);
        Assert.Equal(1, description.Split("(last synced").Length - 1); // the connections synced 55 min ago are not named
        // Anonymous probe: no endpoint, no sync error text.
        Assert.DoesNotContain("vc-east.internal", body);
        Assert.DoesNotContain("svc-secret-7f3", body);
    }

    [Fact]
    public async Task Ready_Answers503Unhealthy_WhenTheDatabaseIsGone_WhileLiveStaysHealthy()
    {
        using var factory = new TFactory();
        var client = factory.ClientFor(null);
        using (await client.GetAsync("/health/ready")) { } // the node is up and has used its database

        await factory.BreakDatabaseAsync();
        var (status, body) = await GetReadyAsync(client);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", StatusOf(body));
        var database = Checks(body)["database"];
        Assert.Equal("Unhealthy", database.GetProperty("status").GetString());
        Assert.StartsWith("Failed (", database.GetProperty("description").GetString());
        // The exception's message names the database or the missing table: logged on the node, never in the anonymous answer.
        Assert.DoesNotContain("does not exist", body);
        Assert.DoesNotContain("no such table", body);
        using var live = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public void HealthEndpoints_AllowAnonymousAndOptOutOfRateLimiting_WhenMapped()
    {
        using var factory = new TFactory();
        _ = factory.Server; // builds the host
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is "/health/live" or "/health/ready").ToList();

        Assert.Equal(2, endpoints.Count);
        Assert.All(endpoints, e =>
        {
            Assert.NotNull(e.Metadata.GetMetadata<IAllowAnonymous>());
            Assert.NotNull(e.Metadata.GetMetadata<DisableRateLimitingAttribute>());
        });
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health/ready");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string? StatusOf(string body) => JsonDocument.Parse(body).RootElement.GetProperty("status").GetString();

    private static Dictionary<string, JsonElement> Checks(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());

    private static async Task SetSyncAsync(HealthWebFactory factory, TimeSpan ago)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var at = TimeProvider.System.GetUtcNow() - ago;
        foreach (var c in await db.Connections.ToListAsync())
        {
            c.LastSyncedAt = at;
            c.LastSyncError = null;
        }

        await db.SaveChangesAsync();
    }

    private static async Task AddConnectionAsync(HealthWebFactory factory, string name, string endpoint, TimeSpan syncedAgo, string error)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.Connections.Add(new Connection(name, ConnectionKinds.VSphere, endpoint, "svc-secret-7f3")
        {
            LastSyncedAt = TimeProvider.System.GetUtcNow() - syncedAgo,
            LastSyncError = error,
        });
        await db.SaveChangesAsync();
    }
}

public sealed class SqliteHealthEndpointTests : HealthEndpointTests<SqliteHealthWebFactory>;

public sealed class PostgreSqlHealthEndpointTests : HealthEndpointTests<PostgreSqlHealthWebFactory>;
