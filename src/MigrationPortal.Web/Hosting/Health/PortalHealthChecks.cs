using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Hosting.Health;

/// <summary>
/// /health/live (the process answers; runs no check, so a database outage never gets a node restarted) and
/// /health/ready (the database, Hangfire's storage, each connection's last sync). See docs/operations.md, "Health".
/// </summary>
public static class PortalHealthChecks
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string ReadyTag = "ready";

    public static IServiceCollection AddPortalHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHealthChecks()
            // A real query on the portal's schema (not only "a connection opens", which SQLite answers for any file).
            .AddDbContextCheck<PortalDbContext>("database", HealthStatus.Unhealthy, [ReadyTag],
                async (db, ct) =>
                {
                    await db.Connections.Select(c => c.Id).FirstOrDefaultAsync(ct);
                    return true;
                })
            .AddCheck<HangfireStorageHealthCheck>("hangfire", HealthStatus.Unhealthy, [ReadyTag])
            // If the query itself fails the database check already says Unhealthy; this one only speaks for the syncs.
            .AddCheck<ConnectionSyncHealthCheck>("connections-sync", HealthStatus.Degraded, [ReadyTag]);
        services.AddOptions<HealthCheckServiceOptions>().Configure<IOptions<HealthOptions>>((o, health) =>
        {
            foreach (var registration in o.Registrations) registration.Timeout = health.Value.CheckTimeout;
        });
        return services;
    }

    /// <summary>
    /// Anonymous, because probes (Docker, Kubernetes, load balancers) carry no credentials; the answers hold statuses,
    /// connection names and sync times only. Exempt from rate limiting, so a limiter never makes a probe fail.
    /// </summary>
    public static void MapPortalHealthChecks(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .AllowAnonymous().DisableRateLimiting();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .AllowAnonymous().DisableRateLimiting();
    }

    // Relaxed escaping keeps apostrophes and '+' readable for the people reading probes; the answer is JSON with
    // nosniff, never HTML.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Each check's status and description. An exception's message is not shown (it can name servers, databases and
    /// accounts); the health-check service logs it with the exception on this node.
    /// </summary>
    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            totalDurationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = Describe(e.Value),
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                data = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, Json), http.RequestAborted);
    }

    /// <remarks>
    /// A check that threw carries the exception's message as its description (EF Core's check and the health-check
    /// service both do that): replaced, so "database \"x\" does not exist" or a server name never reaches an anonymous caller.
    /// </remarks>
    private static string Describe(HealthReportEntry entry) => entry switch
    {
        { Exception: OperationCanceledException } => "Timed out; the node's log has the details.",
        { Exception: { } e } => $"Failed ({e.GetType().Name}); the node's log has the details.",
        { Description: { } description } => description,
        { Status: HealthStatus.Healthy } => "Answers a query.",
        _ => "Failed; the node's log has the details.",
    };
}
