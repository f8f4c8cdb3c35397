namespace MigrationPortal.Web.Hosting;

/// <summary>
/// Registers the portal's recurring jobs when the node starts. Registering takes a storage lock per job; a node that was
/// killed while holding one leaves it until the lock expires (Hangfire:DistributedLockTimeout on PostgreSQL), and a node
/// started in that time must not die of it: any node can die at any moment, and the one that replaces it has to come up.
/// So a failed registration is logged and tried again in the background until it succeeds. The jobs the dead node
/// registered stay in storage meanwhile, so nothing stops running; only an edited schedule waits.
/// </summary>
public sealed class RecurringJobRegistration(IServiceProvider services, IConfiguration configuration, TimeProvider time, ILogger<RecurringJobRegistration> logger)
    : BackgroundService
{
    /// <summary>How long to wait between attempts after a failed registration.</summary>
    public static TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The first attempt runs before the node serves, as it always did, so a healthy start has its jobs at once.
        if (TryRegister(attempt: 1)) return;
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 2; !stoppingToken.IsCancellationRequested; attempt++)
        {
            await Task.Delay(RetryInterval, time, stoppingToken);
            if (TryRegister(attempt)) return;
        }
    }

    private bool TryRegister(int attempt)
    {
        try
        {
            services.ScheduleRecurringJobs(configuration);
            if (attempt > 1) logger.LogInformation("Recurring jobs registered on attempt {Attempt}.", attempt);
            return true;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Registering the recurring jobs failed (attempt {Attempt}); a lock may still be held by a node that stopped. Trying again in {Interval}.",
                attempt, RetryInterval);
            return false;
        }
    }
}
