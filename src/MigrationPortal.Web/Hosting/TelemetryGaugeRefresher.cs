using Microsoft.Extensions.Options;
using MigrationPortal.Application.Telemetry;

namespace MigrationPortal.Web.Hosting;

/// <summary>Reads the database gauges (<see cref="PortalGauges"/>) every Telemetry:GaugeRefreshInterval, so a scrape never waits on the database.</summary>
public sealed class TelemetryGaugeRefresher(IServiceScopeFactory scopes, IOptions<TelemetryOptions> options, TimeProvider time, ILogger<TelemetryGaugeRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A scope per reading: the database factory is scoped.
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<PortalGauges>().RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database that is down shows as stale gauges, not as a stopped host; the next round tries again.
                logger.LogWarning(e, "The telemetry gauges could not be read from the database.");
            }

            try
            {
                await Task.Delay(options.Value.GaugeRefreshInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
