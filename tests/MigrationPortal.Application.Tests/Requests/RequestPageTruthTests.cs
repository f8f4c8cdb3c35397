using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Application.Tests.Scheduling;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;

namespace MigrationPortal.Application.Tests.Requests;

/// <summary>
/// What GetRequest tells the request page beyond the request's own columns: whose cancel and why, whether the run is
/// being recovered after its node stopped reporting, and the roll back as a step of its own.
/// </summary>
public abstract class RequestPageTruthTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    protected override TimeSpan DemoDuration => TimeSpan.FromSeconds(1);

    private async Task<Guid> ScheduledRequestAsync()
    {
        await Portal.AutoApproveEverythingAsync();
        var (vm, target) = await Portal.RequesterVmAsync();
        var submitted = await Portal.SubmitAsync(vm, target, ScheduleMode.AsSoonAsApproved);
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        return submitted.Id;
    }

    private Task PutLeaseAsync(Guid requestId, DateTimeOffset heartbeat) => Portal.Db(async db =>
    {
        db.RunLeases.Add(new RunLease { RequestId = requestId, Owner = "node-b", Token = Guid.NewGuid(), AcquiredAt = heartbeat, HeartbeatAt = heartbeat });
        return await db.SaveChangesAsync();
    });

    [Fact]
    public async Task Get_SaysTheRunIsBeingRecovered_OnlyOnceTheLeaseHeartbeatIsStale()
    {
        var id = await ScheduledRequestAsync();
        var heartbeat = Portal.Time.GetUtcNow();
        await PutLeaseAsync(id, heartbeat);
        Assert.Null((await Portal.DetailsAsync(id)).StaleSince);

        Portal.Time.Advance(new ExecutionOptions().StaleAfter + TimeSpan.FromSeconds(1));

        var stale = (await Portal.DetailsAsync(id)).StaleSince;
        Assert.NotNull(stale);
        Assert.Equal(heartbeat.ToUnixTimeSeconds(), stale.Value.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Get_NamesWhoCancelledAndWhy_WhenTheRequesterCancelledBeforeTheRun()
    {
        var id = await ScheduledRequestAsync();
        Assert.Null((await Portal.DetailsAsync(id)).Cancellation);

        await Portal.Scoped<CancelRequest, RequestSummary>(u => u.HandleAsync(PortalHarness.Requester, new CancelRequest.Command(id, "  Wrong VM picked  ")));

        var cancellation = (await Portal.DetailsAsync(id)).Cancellation;
        Assert.NotNull(cancellation);
        Assert.Equal(PortalHarness.Requester.Name, cancellation.ActorName);
        Assert.Equal("Wrong VM picked", cancellation.Reason);
    }

    [Fact]
    public async Task Get_ShowsTheRollBackStep_WhenTheMoveWasRolledBack()
    {
        var id = await ScheduledRequestAsync();
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(id));
        Assert.Equal(RequestState.Succeeded, (await Portal.RequestAsync(id)).State);

        await Portal.Scoped<RollBackRequest, RequestSummary>(u => u.HandleAsync(PortalHarness.Operator, new RollBackRequest.Command(id, "App misbehaves")));
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(id));

        var details = await Portal.DetailsAsync(id);
        Assert.Equal(RequestState.RolledBack, details.Summary.State);
        var step = Assert.Single(details.Steps, s => s.Name == ItinerarySteps.RollBack);
        Assert.Equal(StepStatus.Succeeded, step.Status);
        Assert.False(string.IsNullOrWhiteSpace(step.Message));
        Assert.Equal(ItinerarySteps.RollBack, details.Steps[^1].Name);
    }
}

public sealed class SqliteRequestPageTruthTests() : RequestPageTruthTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlRequestPageTruthTests() : RequestPageTruthTests(DatabaseProvider.PostgreSql);
