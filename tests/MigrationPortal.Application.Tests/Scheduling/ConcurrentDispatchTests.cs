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
/// observer samples how many requests from the host are in flight and the test asserts the maximum it saw.
/// </summary>
public sealed class PostgreSqlConcurrentDispatchTests() : DatabaseTestBase(DatabaseProvider.PostgreSql)
{
    private const int Requests = 30;
    private const int PerHostLimit = 3;

    [Fact]
    public async Task TwoDispatchers_NeverExceedThePerHostLimit_AndEveryRequestFinishes()
    {
        await Portal.AutoApproveEverythingAsync();
        await Portal.Scoped<MigrationPortal.Application.Scheduling.SetConcurrencyLimits, MigrationPortal.Application.Scheduling.ConcurrencyLimitsView>(u =>
            u.HandleAsync(PortalHarness.Admin, new(PerHostLimit, 2, 2, 2, 128, 1, 16, 32, 64)));
        var (template, target) = await Portal.RequesterVmAsync();
        var vms = await Portal.Db(async db =>
        {
            var added = Enumerable.Range(0, Requests).Select(i => new InventoryVm
            {
                ConnectionId = template.ConnectionId, ExternalId = $"race-{i:00}", Name = $"race-vm-{i:00}", HostExternalId = template.HostExternalId,
                HostName = template.HostName, ClusterName = template.ClusterName, Datastores = template.Datastores, MemoryMb = 1024, ApplicationId = template.ApplicationId,
            }).ToList();
            db.Vms.AddRange(added);
            await db.SaveChangesAsync();
            return added;
        });
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

        // Stands in for the run jobs: whatever is scheduled starts, runs for a moment, then succeeds.
        async Task RunnerAsync()
        {
            while (!done.IsCancellationRequested)
            {
                List<Guid> scheduled;
                await using (var scope = Portal.CreateScope())
                    scheduled = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Requests
                        .Where(r => ids.Contains(r.Id) && r.State == RequestState.Scheduled).Select(r => r.Id).ToListAsync();
                if (scheduled.Count > 0) await Task.Delay(200);
                foreach (var id in scheduled)
                {
                    await using var scope = Portal.CreateScope();
                    await SchedulingTestKit.RunToSucceededAsync(scope.ServiceProvider.GetRequiredService<PortalDbContext>(), id, TimeProvider.System.GetUtcNow(), TimeSpan.FromSeconds(1));
                }

                if (await CountAsync(q => q.Where(r => r.State == RequestState.Succeeded)) == Requests) await done.CancelAsync();
                else await Task.Delay(10);
            }
        }

        var all = Task.WhenAll(DispatcherAsync(), DispatcherAsync(), ObserverAsync(), RunnerAsync());
        var finished = await Task.WhenAny(all, Task.Delay(Timeout.Infinite, timeout.Token).ContinueWith(_ => { }));
        await done.CancelAsync();
        await all;

        Assert.True(finished == all, "The requests did not all finish within 90 s.");
        Assert.Equal(Requests, await CountAsync(q => q.Where(r => r.State == RequestState.Succeeded)));
        Assert.Equal(Requests, dispatches);
        Assert.True(maxInFlight <= PerHostLimit, $"Observed {maxInFlight} in flight from one host; the limit is {PerHostLimit}.");
        Assert.Equal(PerHostLimit, maxInFlight);
    }
}
