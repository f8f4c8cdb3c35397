using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Notifications;
using MigrationPortal.Infrastructure.Jobs;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Hosting;

/// <summary>Bound from "Hangfire".</summary>
public sealed class HangfireSettings
{
    public const string Section = "Hangfire";

    /// <summary>Whether this node runs a Hangfire server (workers). Every node normally does; they share the queue.</summary>
    public bool ServerEnabled { get; set; } = true;

    public int WorkerCount { get; set; } = 4;

    /// <summary>How often idle workers look for new jobs. Hangfire.Storage.SQLite's default is slow (about 11 s).</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cron (six fields, seconds first) for the dispatcher that starts due requests within the limits.</summary>
    public string DispatcherCron { get; set; } = "*/15 * * * * *";

    /// <summary>How often each server looks for due delayed and recurring jobs; at most the dispatcher's interval.</summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Cron (six fields) for the job that finds requests whose run stopped renewing its lease and queues them again. With
    /// Execution:StaleAfter it bounds how long a dead node holds its requests (see docs/operations.md).
    /// </summary>
    public string ReconcileCron { get; set; } = "*/10 * * * * *";

    /// <summary>
    /// How long a job fetched by a node stays invisible to the others. It slides (each live server renews it for its
    /// running jobs), so it bounds only how long a killed node's jobs stay "Processing" before a live node fetches them
    /// again; the run then finds its request finished or leased by a live run and ends Succeeded, not Failed.
    /// </summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// PostgreSQL only: how long a Hangfire lock row outlives the node that took it. Hangfire.PostgreSql's default is
    /// 10 minutes, so a node killed during an inventory sync would make every run of that sync fail on the lock for that
    /// long. Migration runs take no Hangfire lock (their exclusion is the portal's own lease); the locks left are the
    /// inventory syncs' and Hangfire's own, all held for seconds, so a minute is ample. SQL Server's locks end with the
    /// dead node's session.
    /// </summary>
    public TimeSpan DistributedLockTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Cron for the recurring inventory sync.</summary>
    public string InventorySyncCron { get; set; } = "*/15 * * * *";
}

public static class HangfireSetup
{
    public static IServiceCollection AddPortalHangfire(this IServiceCollection services, IConfiguration configuration)
    {
        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var settings = configuration.GetSection(HangfireSettings.Section).Get<HangfireSettings>() ?? new HangfireSettings();
        services.AddHangfire(config =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
            var connectionString = database.ResolveConnectionString();
            switch (database.Provider)
            {
                case DatabaseProvider.SqlServer:
                    config.UseSqlServerStorage(connectionString, new Hangfire.SqlServer.SqlServerStorageOptions
                    {
                        QueuePollInterval = settings.QueuePollInterval, SchemaName = "hangfire", SlidingInvisibilityTimeout = settings.InvisibilityTimeout,
                    });
                    break;
                case DatabaseProvider.PostgreSql:
                    config.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
                    {
                        QueuePollInterval = settings.QueuePollInterval, SchemaName = "hangfire",
                        // Its default is a fixed 30 minutes: a killed node's jobs would show "Processing" that long.
                        UseSlidingInvisibilityTimeout = true, InvisibilityTimeout = settings.InvisibilityTimeout,
                        DistributedLockTimeout = settings.DistributedLockTimeout,
                    });
                    break;
                default:
                    // A file of its own beside the portal's: SQLite allows one writer at a time, and Hangfire's polling
                    // connection would otherwise contend with the portal's transactions. Server databases share one database.
                    Directory.CreateDirectory(database.DataDirectory);
                    config.UseSQLiteStorage(Path.Combine(database.DataDirectory, "hangfire.db"), new SQLiteStorageOptions { QueuePollInterval = settings.QueuePollInterval });
                    break;
            }
        });
        if (settings.ServerEnabled)
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = settings.WorkerCount;
                o.SchedulePollingInterval = settings.SchedulePollingInterval;
            });
        services.AddHostedService<RecurringJobRegistration>();
        return services;
    }

    public static void ScheduleRecurringJobs(this IServiceProvider services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(HangfireSettings.Section).Get<HangfireSettings>() ?? new HangfireSettings();
        var recurring = services.GetRequiredService<IRecurringJobManager>();
        // Every 15 s (Hangfire 1.8 reads a six-field cron with seconds); also nudged on every approval and every finished run.
        recurring.AddOrUpdate<PortalJobs>(PortalJobs.DispatcherJobId, j => j.DispatchAsync(CancellationToken.None), settings.DispatcherCron);
        recurring.AddOrUpdate<PortalJobs>(PortalJobs.ExpiryJobId, j => j.ExpireAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<PortalJobs>(PortalJobs.ReconcileJobId, j => j.ReconcileAsync(CancellationToken.None), settings.ReconcileCron);
        // Keeps one recurring sync job per connection (sync-inventory:{id}) on the same cron; see PortalJobs.SyncAllInventoriesAsync.
        var cron = settings.InventorySyncCron;
        recurring.AddOrUpdate<PortalJobs>(PortalJobs.InventoryJobId, j => j.SyncAllInventoriesAsync(cron, CancellationToken.None), cron);
        // One recurring collection job per connection with a collector (collect-utilisation:{id}); see UtilisationJobs.
        var utilisation = configuration.GetSection(MigrationPortal.Application.Utilisation.UtilisationOptions.Section).Get<MigrationPortal.Application.Utilisation.UtilisationOptions>()
            ?? new MigrationPortal.Application.Utilisation.UtilisationOptions();
        if (utilisation.Enabled)
        {
            var collectionCron = utilisation.CollectionCron;
            recurring.AddOrUpdate<UtilisationJobs>(UtilisationJobs.ScheduleJobId, j => j.ScheduleAllAsync(collectionCron, CancellationToken.None), collectionCron);
            recurring.AddOrUpdate<UtilisationJobs>(UtilisationJobs.RetentionJobId, j => j.ApplyRetentionAsync(CancellationToken.None), Cron.Hourly(7));
        }
        else
        {
            recurring.RemoveIfExists(UtilisationJobs.ScheduleJobId);
            recurring.RemoveIfExists(UtilisationJobs.RetentionJobId);
        }

        // Mail only when SMTP is configured; the job itself also checks, so a node with other settings sends nothing.
        if (configuration.GetSection(SmtpOptions.Section).Get<SmtpOptions>()?.IsEnabled == true)
            recurring.AddOrUpdate<NotificationJobs>(NotificationJobs.SendJobId, j => j.SendAsync(CancellationToken.None), Cron.Minutely());
        else
            recurring.RemoveIfExists(NotificationJobs.SendJobId);
    }
}

/// <summary>The /hangfire dashboard is for Operators and Administrators only.</summary>
public sealed class OperatorsOnlyDashboardFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true && (user.IsInRole(Roles.Operator) || user.IsInRole(Roles.Administrator));
    }
}
