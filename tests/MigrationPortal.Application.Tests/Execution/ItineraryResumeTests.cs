using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Execution.Itinerary;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Execution;

/// <summary>
/// Issue 11 §2: the itinerary is data. Step rows are made as steps start, a run resumes at the first step that has not
/// succeeded (a finished snapshot is never taken again), a release that adds a step does not break a request in flight,
/// and requests that still carry the Pending rows older releases made at submission keep running.
/// </summary>
public abstract class ItineraryResumeTests(DatabaseProvider provider) : ScriptedRunTestBase(provider)
{
    [Fact]
    public async Task RunMigration_ResumesAfterTheSnapshotAndNeverTakesItAgain_WhenTheRunCrashedMidItinerary()
    {
        var (request, _) = await SubmitAndDispatchAsync(takeSnapshot: true);
        Script.FailEnforceEncryption = () => new InvalidOperationException("The node died.");

        await Assert.ThrowsAsync<InvalidOperationException>(() => Portal.Scoped<RunMigration>(r => r.HandleAsync(request)));
        var between = await LoadAsync(request);
        Assert.Equal(StepStatus.Succeeded, between.Steps.Single(s => s.Name == ItinerarySteps.Snapshot).Status);
        Assert.Equal(StepStatus.Running, between.Steps.Single(s => s.Name == ItinerarySteps.EnforceEncryption).Status);
        // Rows only for the steps that started: nothing is stored for the steps ahead.
        Assert.DoesNotContain(between.Steps, s => s.Name == ItinerarySteps.Transfer);

        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));

        var stored = await LoadAsync(request);
        Assert.Equal(RequestState.Succeeded, stored.State);
        Assert.Equal(1, Script.Snapshots);
        Assert.Equal(1, Script.Starts);
        Assert.Equal(stored.Steps.Count, stored.Steps.Select(s => s.Name).Distinct().Count());
        Assert.Equal([ItinerarySteps.Precheck, ItinerarySteps.Snapshot, ItinerarySteps.EnforceEncryption, ItinerarySteps.Transfer, ItinerarySteps.Verify,
            ItinerarySteps.CleanUp, ItinerarySteps.CleanUpLeftovers], stored.Steps.OrderBy(s => s.Order).Select(s => s.Name));
    }

    [Fact]
    public async Task RunMigration_RunsAStepAReleaseAdded_WhenARequestInFlightResumesAfterTheUpgrade()
    {
        var (request, _) = await SubmitAndDispatchAsync(takeSnapshot: true);
        Script.FailEnforceEncryption = () => new InvalidOperationException("The node died for the upgrade.");
        await Assert.ThrowsAsync<InvalidOperationException>(() => Portal.Scoped<RunMigration>(r => r.HandleAsync(request)));

        // The new release: the same itinerary with one more step after the transfer, registered as data.
        await Portal.DisposeAsync();
        var marker = new MarkerStep();
        Portal = await PortalHarness.StartAsync(Provider, ConnectionString, DemoDuration, configure: services =>
        {
            ConfigureServices(services);
            services.AddSingleton(marker);
            services.AddScoped<IItineraryStep>(sp => sp.GetRequiredService<MarkerStep>());
            var steps = ItineraryDefinition.WithinOneConnection.Steps.ToList();
            steps.Insert(steps.IndexOf(ItinerarySteps.Transfer) + 1, MarkerStep.StepName);
            services.AddSingleton(ItineraryDefinition.WithinOneConnection with { Name = "release 2", Steps = steps });
        });

        var upcoming = await Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(Operator, request));
        Assert.Equal(StepStatus.Pending, upcoming.Steps.Single(s => s.Name == MarkerStep.StepName).Status);

        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));

        var stored = await LoadAsync(request);
        Assert.Equal(RequestState.Succeeded, stored.State);
        Assert.Equal(1, marker.Runs);
        var names = stored.Steps.OrderBy(s => s.Order).Select(s => s.Name).ToList();
        Assert.True(names.IndexOf(MarkerStep.StepName) > names.IndexOf(ItinerarySteps.Transfer));
        Assert.Equal(StepStatus.Succeeded, stored.Steps.Single(s => s.Name == MarkerStep.StepName).Status);
        Assert.Equal(1, Script.Snapshots);
    }

    [Fact]
    public async Task RunMigration_FinishesARequestThatHasTheStepRowsAnOlderReleaseMadeAtSubmission()
    {
        var (request, _) = await SubmitAndDispatchAsync(takeSnapshot: true);
        Script.FailEnforceEncryption = () => new InvalidOperationException("The node died.");
        await Assert.ThrowsAsync<InvalidOperationException>(() => Portal.Scoped<RunMigration>(r => r.HandleAsync(request)));
        // What the old release had stored for the steps ahead: Pending rows, made at submission, in its order.
        await Portal.Scoped<PortalDbContext>(async db =>
        {
            string[] old = [ItinerarySteps.Transfer, ItinerarySteps.Verify, ItinerarySteps.CleanUp];
            for (var i = 0; i < old.Length; i++)
            {
                var row = new MigrationStep(old[i], 3 + i);
                db.Add(row);
                db.Entry(row).Property(s => s.RequestId).CurrentValue = request;
            }

            await db.SaveChangesAsync();
        });

        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));

        var stored = await LoadAsync(request);
        Assert.Equal(RequestState.Succeeded, stored.State);
        Assert.Equal(stored.Steps.Count, stored.Steps.Select(s => s.Name).Distinct().Count());
        Assert.All(stored.Steps, s => Assert.Contains(s.Status, new[] { StepStatus.Succeeded, StepStatus.Skipped }));
        Assert.Equal(1, Script.Snapshots);
        Assert.Equal(1, Script.SnapshotRemovals);
    }

    [Fact]
    public async Task GetRequest_ShowsTheItinerarysStepsAsPendingWithoutStoringThem_WhenTheRequestHasNotStarted()
    {
        var (request, _) = await SubmitAndDispatchAsync(takeSnapshot: false);

        var details = await Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(Requester, request));

        // No snapshot asked for: the snapshot step does not apply, so it is not shown.
        Assert.Equal([ItinerarySteps.Precheck, ItinerarySteps.EnforceEncryption, ItinerarySteps.Transfer, ItinerarySteps.Verify, ItinerarySteps.CleanUp, ItinerarySteps.CleanUpLeftovers],
            details.Steps.Select(s => s.Name));
        Assert.All(details.Steps, s => Assert.Equal(StepStatus.Pending, s.Status));
        Assert.False(await Portal.Db(db => db.Set<MigrationStep>().AnyAsync(s => s.RequestId == request)));
    }
}

/// <summary>A step a later release adds to the itinerary.</summary>
public sealed class MarkerStep : IItineraryStep
{
    public const string StepName = "test-marker";
    private int _runs;

    public int Runs => Volatile.Read(ref _runs);

    public string Name => StepName;

    public StepStage Stage => StepStage.Completion;

    public bool AppliesTo(MigrationPlan plan) => true;

    public Task<StepOutcome> RunAsync(StepContext context)
    {
        Interlocked.Increment(ref _runs);
        return Task.FromResult(StepOutcome.Succeeded("Added by release 2."));
    }

    public Task<StepOutcome> ReconcileAsync(StepContext context) => RunAsync(context);
}

public sealed class SqliteItineraryResumeTests() : ItineraryResumeTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlItineraryResumeTests() : ItineraryResumeTests(DatabaseProvider.PostgreSql);
