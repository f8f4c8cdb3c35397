using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Application.Tests.Scheduling;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Execution;

/// <summary>
/// The per-request run lease: one run of a request at a time across nodes, decided by the database, and a run whose
/// node died is taken over once its heartbeat is stale. Also: a started transfer's operation ID is never saved without
/// its audit event.
/// </summary>
public abstract class RunLeaseTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    protected override TimeSpan DemoDuration => TimeSpan.FromSeconds(1);

    private async Task<Guid> ScheduledRequestAsync()
    {
        await Portal.AutoApproveEverythingAsync();
        var (vm, target) = await Portal.RequesterVmAsync();
        var submitted = await Portal.SubmitAsync(vm, target, ScheduleMode.AsSoonAsApproved);
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        Assert.Equal(RequestState.Scheduled, (await Portal.RequestAsync(submitted.Id)).State);
        return submitted.Id;
    }

    private Task PutLeaseAsync(Guid requestId, string owner, DateTimeOffset heartbeat) => Portal.Db(async db =>
    {
        db.RunLeases.Add(new RunLease { RequestId = requestId, Owner = owner, Token = Guid.NewGuid(), AcquiredAt = heartbeat, HeartbeatAt = heartbeat });
        return await db.SaveChangesAsync();
    });

    [Fact]
    public async Task TryAcquire_GrantsExactlyOneRun_WhenManyRunsAskAtOnce()
    {
        var id = await ScheduledRequestAsync();
        var scopes = Enumerable.Range(0, 8).Select(_ => Portal.CreateScope()).ToList();
        try
        {
            var claims = await Task.WhenAll(scopes.Select(s => Task.Run(() => s.ServiceProvider.GetRequiredService<RunLeases>().TryAcquireAsync(id, default))));
            Assert.Single(claims, c => c.Acquired);
            Assert.Equal(1, await Portal.Db(db => db.RunLeases.CountAsync(l => l.RequestId == id)));
        }
        finally
        {
            foreach (var s in scopes) await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task TryAcquire_TakesOverOnce_WhenTheOwnersHeartbeatIsStale()
    {
        var id = await ScheduledRequestAsync();
        var staleAfter = new ExecutionOptions().StaleAfter;
        await PutLeaseAsync(id, "dead-node", Portal.Time.GetUtcNow() - staleAfter - TimeSpan.FromSeconds(1));

        var scopes = Enumerable.Range(0, 6).Select(_ => Portal.CreateScope()).ToList();
        try
        {
            var claims = await Task.WhenAll(scopes.Select(s => Task.Run(() => s.ServiceProvider.GetRequiredService<RunLeases>().TryAcquireAsync(id, default))));
            var winner = Assert.Single(claims, c => c.Acquired);
            Assert.Equal("dead-node", winner.TakenOverFrom);
            var lease = await Portal.Db(db => db.RunLeases.AsNoTracking().SingleAsync(l => l.RequestId == id));
            Assert.Equal(winner.Token, lease.Token);
        }
        finally
        {
            foreach (var s in scopes) await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task HandleAsync_EndsQuietlyWithoutRunning_WhenALiveRunHoldsTheLease()
    {
        var id = await ScheduledRequestAsync();
        await PutLeaseAsync(id, "live-node", Portal.Time.GetUtcNow());

        await Portal.Scoped<RunMigration>(r => r.HandleAsync(id));

        Assert.Equal(RequestState.Scheduled, (await Portal.RequestAsync(id)).State);
        Assert.Equal(0, await Portal.Db(db => db.DemoTasks.CountAsync()));
        Assert.Equal("live-node", await Portal.Db(db => db.RunLeases.Where(l => l.RequestId == id).Select(l => l.Owner).SingleAsync()));
    }

    [Fact]
    public async Task HandleAsync_TakesOverAndFinishes_WhenTheLeaseOwnerDied()
    {
        var id = await ScheduledRequestAsync();
        await PutLeaseAsync(id, "dead-node", Portal.Time.GetUtcNow() - TimeSpan.FromMinutes(5));

        await Portal.Scoped<RunMigration>(r => r.HandleAsync(id));

        Assert.Equal(RequestState.Succeeded, (await Portal.RequestAsync(id)).State);
        Assert.Equal(1, await Portal.Db(db => db.DemoTasks.CountAsync()));
        Assert.Equal(0, await Portal.Db(db => db.RunLeases.CountAsync()));
        Assert.True(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.RequestId == id && e.Details.Contains("dead-node stopped renewing its lease"))));
    }

    [Fact]
    public async Task Reconcile_QueuesTheRequest_OnlyOnceItsLeaseIsStale()
    {
        var id = await ScheduledRequestAsync();
        await PutLeaseAsync(id, "some-node", Portal.Time.GetUtcNow());
        Assert.Empty(await Portal.Scoped<ReconcileStaleMigrations, IReadOnlyList<Guid>>(r => r.HandleAsync()));

        Portal.Time.Advance(new ExecutionOptions().StaleAfter + TimeSpan.FromSeconds(1));

        Assert.Equal([id], await Portal.Scoped<ReconcileStaleMigrations, IReadOnlyList<Guid>>(r => r.HandleAsync()));
    }

    [Fact]
    public async Task HandleAsync_StopsWithoutFailing_WhenItsLeaseIsTakenOverMidRun()
    {
        Portal = await RestartAsync(TimeSpan.FromSeconds(30), new Dictionary<string, string?> { ["Execution:HeartbeatInterval"] = "00:00:00.200", ["Execution:StaleAfter"] = "00:00:01" });
        var id = await ScheduledRequestAsync();
        var run = Portal.Scoped<RunMigration>(r => r.HandleAsync(id));
        await Portal.WaitForOperationIdAsync(id, run);

        // Another node takes the request over (as if this one had hung past the stale limit).
        var other = Guid.NewGuid();
        await Portal.Db(db => db.RunLeases.Where(l => l.RequestId == id).ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, "other-node").SetProperty(l => l.Token, other)));
        await run.WaitAsync(TimeSpan.FromSeconds(20));

        var lease = await Portal.Db(db => db.RunLeases.AsNoTracking().SingleAsync(l => l.RequestId == id));
        Assert.Equal(other, lease.Token);
        Assert.Equal(RequestState.Running, (await Portal.RequestAsync(id)).State);
    }

    [Fact]
    public async Task StartTransfer_NeverLeavesAnOperationIdWithoutItsAuditEvent_WhenTheNodeDiesRightAfterACommit()
    {
        var id = await ScheduledRequestAsync();
        await using var scope = Portal.CreateScope();
        // The "node" dies right after the first commit that holds the operation ID: whatever that commit saved is all there is.
        var crash = new DieOnceOperationIdIsCommitted(scope.ServiceProvider.GetRequiredService<IPortalDbFactory>(), id);
        var run = ActivatorUtilities.CreateInstance<RunMigration>(scope.ServiceProvider, crash);
        await Assert.ThrowsAsync<NodeDiedException>(() => run.HandleAsync(id));

        var operation = await Portal.Db(db => db.Requests.Where(r => r.Id == id).Select(r => r.OperationId).SingleAsync());
        Assert.NotNull(operation);
        Assert.True(await Portal.Db(db => db.AuditEvents.AnyAsync(e => e.RequestId == id && e.Details.Contains($"Transfer started as hypervisor operation {operation}"))),
            "The operation ID was saved without its \"Transfer started\" audit event.");
    }

    private async Task<PortalHarness> RestartAsync(TimeSpan demoDuration, IReadOnlyDictionary<string, string?> settings)
    {
        await Portal.DisposeAsync();
        return await PortalHarness.StartAsync(Provider, ConnectionString, demoDuration, settings: settings);
    }

    private sealed class NodeDiedException() : Exception("The node died.");

    /// <summary>Throws (the process "dies") after the first save whose commit left an operation ID on the request.</summary>
    private sealed class DieOnceOperationIdIsCommitted(IPortalDbFactory factory, Guid requestId) : IRequestChangeNotifier
    {
        public void RequestChanged(Guid id)
        {
            if (id != requestId) return;
            using var db = (PortalDbContext)factory.CreateAsync().GetAwaiter().GetResult();
            if (db.Requests.Any(r => r.Id == id && r.OperationId != null)) throw new NodeDiedException();
        }
    }
}

public sealed class SqliteRunLeaseTests() : RunLeaseTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlRunLeaseTests() : RunLeaseTests(DatabaseProvider.PostgreSql);
