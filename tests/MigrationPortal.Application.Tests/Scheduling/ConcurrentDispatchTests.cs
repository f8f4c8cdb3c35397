using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Scheduling;

/// <summary>
/// Two dispatchers (two DI scopes, so two DbContexts and two connections, as on two portal nodes) tick at the same time
/// against one PostgreSQL database while runs finish in the background. The per-host limit must hold throughout: an
/// observer samples how many requests from the host are in flight and the test asserts the maximum it saw. The runs
/// are the real run job (RunMigration with the demo connector), so slots free only as real migrations finish.
/// </summary>
public sealed class PostgreSqlConcurrentDispatchTests() : DatabaseTestBase(DatabaseProvider.PostgreSql)
{
    private const int Requests = 30;
    private const int PerHostLimit = 3;

    // Real time here (two nodes race for real), so the demo transfers are short: 30 of them, 3 at a time, in seconds.
    protected override TimeSpan DemoDuration => TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task TwoDispatchers_NeverExceedThePerHostLimit_AndEveryRequestFinishes()
    {
        await Portal.AutoApproveEverythingAsync();
        await Portal.Scoped<MigrationPortal.Application.Scheduling.SetConcurrencyLimits, MigrationPortal.Application.Scheduling.ConcurrencyLimitsView>(u =>
            u.HandleAsync(PortalHarness.Admin, new([new("demo", "host", PerHostLimit)])));
        var (template, target) = await Portal.RequesterVmAsync();
        var vms = await Portal.AddDemoVmsAsync(template, "race", Requests, 1024);
        var ids = new List<Guid>();
        foreach (var vm in vms) ids.Add((await Portal.SubmitAsync(vm, target, ScheduleMode.AsSoonAsApproved)).Id);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var done = new CancellationTokenSource();
        var maxInFlight = 0;
        var dispatches = 0;

        async Task<int> CountAsync(Func<IQueryable<MigrationRequest>, IQueryable<MigrationRequest>> filter)
        {
            await using var scope = Portal.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            return await filter(db.Requests.Where(r => ids.Contains(r.Id))).CountAsync();
        }

        async Task DispatcherAsync()
        {
            while (!done.IsCancellationRequested)
            {
                await using (var scope = Portal.CreateScope())
                    Interlocked.Add(ref dispatches, await scope.ServiceProvider.GetRequiredService<DispatchDueRequests>().HandleAsync());
                await Task.Delay(Random.Shared.Next(5, 30));
            }
        }

        async Task ObserverAsync()
        {
            while (!done.IsCancellationRequested)
            {
                var inFlight = await CountAsync(q => q.Where(r => SchedulingTestKit.InFlight.Contains(r.State)));
                maxInFlight = Math.Max(maxInFlight, inFlight);
            }
        }

        // Plays Hangfire's worker: every run job a dispatcher enqueued runs the real RunMigration (demo connector) in the
        // background, on its own scope, at once; so whatever the dispatchers start really runs and really finishes.
        var runs = new List<Task>();
        async Task WorkerAsync()
        {
            while (!done.IsCancellationRequested)
            {
                while (Portal.Jobs.Runs.TryDequeue(out var id))
                    runs.Add(Task.Run(async () =>
                    {
                        await using var scope = Portal.CreateScope();
                        await scope.ServiceProvider.GetRequiredService<RunMigration>().HandleAsync(id);
                    }));
                foreach (var failed in runs.Where(r => r.IsFaulted)) await failed;
                if (await CountAsync(q => q.Where(r => r.State == RequestState.Succeeded)) == Requests) await done.CancelAsync();
                else await Task.Delay(10);
            }
        }

        var all = Task.WhenAll(DispatcherAsync(), DispatcherAsync(), ObserverAsync(), WorkerAsync());
        var finished = await Task.WhenAny(all, Task.Delay(Timeout.Infinite, timeout.Token).ContinueWith(_ => { }));
        await done.CancelAsync();
        await all;
        await Task.WhenAll(runs);

        Assert.True(finished == all, "The requests did not all finish within 90 s.");
        Assert.Equal(Requests, await CountAsync(q => q.Where(r => r.State == RequestState.Succeeded)));
        Assert.Equal(Requests, dispatches);
        Assert.True(maxInFlight <= PerHostLimit, $"Observed {maxInFlight} in flight from one host; the limit is {PerHostLimit}.");
        Assert.Equal(PerHostLimit, maxInFlight);
        Assert.Equal(Requests, await Portal.Db(db => db.DemoVms.CountAsync(v => v.Id.StartsWith("race-") && v.HostId == target)));
    }
}
