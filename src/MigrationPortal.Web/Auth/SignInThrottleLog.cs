using Microsoft.Extensions.Options;
using MigrationPortal.Application.Audit;
using MigrationPortal.Domain.Common;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Web.Auth;

/// <summary>
/// Counts the sign-in attempts this node's rate limiter dropped and writes them to the audit trail as one row per client
/// address per interval ("12 attempts dropped from 10.0.0.7 for admin"), instead of one row per attempt: a flood must not
/// become a flood of audit rows. Bounded in memory: at most <see cref="MaxAddresses"/> addresses and
/// <see cref="MaxNamesPerAddress"/> user names each; the rest are counted together.
/// </summary>
public sealed class SignInThrottleLog(IServiceScopeFactory scopes, TimeProvider time, IOptions<SignInRateLimitOptions> options, ILogger<SignInThrottleLog> logger)
    : BackgroundService
{
    private const int MaxAddresses = 1_000;
    private const int MaxNamesPerAddress = 20;
    private const int MaxNameLength = 256;
    private const string OtherAddresses = "(other addresses)";
    private const string OtherNames = "(other user names)";

    private readonly Lock _gate = new();
    private Dictionary<string, Dictionary<string, int>> _dropped = new(StringComparer.Ordinal);
    private DateTimeOffset _since = time.GetUtcNow();

    /// <summary>User names go into the audit trail and memory; a million-character one is cut.</summary>
    public static string Bounded(string userName) => userName.Length <= MaxNameLength ? userName : userName[..MaxNameLength] + "…";

    public void Count(string address, string userName)
    {
        lock (_gate)
        {
            if (!_dropped.TryGetValue(address, out var names))
            {
                if (_dropped.Count >= MaxAddresses) address = OtherAddresses;
                if (!_dropped.TryGetValue(address, out names)) _dropped[address] = names = new(StringComparer.Ordinal);
            }

            if (!names.ContainsKey(userName) && names.Count >= MaxNamesPerAddress) userName = OtherNames;
            names[userName] = names.GetValueOrDefault(userName) + 1;
        }
    }

    /// <summary>Writes what was dropped since the last flush, one audit row per address. Runs every SummaryInterval and at shutdown.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        Dictionary<string, Dictionary<string, int>> dropped;
        DateTimeOffset since, until = time.GetUtcNow();
        lock (_gate)
        {
            (dropped, since) = (_dropped, _since);
            (_dropped, _since) = (new(StringComparer.Ordinal), until);
        }

        if (dropped.Count == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        foreach (var (address, names) in dropped)
        {
            var total = names.Values.Sum();
            var actor = new Actor("unknown", names.Count == 1 ? names.Keys.Single() : "(several user names)");
            AuditLog.Record(db, until, actor, AuditActions.SignInThrottled, "User", null,
                new { remote = address, dropped = total, userNames = names, since, until });
        }

        await db.SaveChangesAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SummaryInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushLoggingFailuresAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushLoggingFailuresAsync(cancellationToken);
    }

    private async Task FlushLoggingFailuresAsync(CancellationToken ct)
    {
        try
        {
            await FlushAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The audit trail is unreachable: the counts are lost, but not silently.
            logger.LogError(e, "Could not audit the sign-in attempts the rate limiter dropped.");
        }
    }
}
