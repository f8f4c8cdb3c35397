using Hangfire;
using Hangfire.Common;
using Hangfire.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MigrationPortal.Infrastructure.Jobs;
using MigrationPortal.Web.Hosting;

namespace MigrationPortal.Web.Tests.Hosting;

/// <summary>
/// A node started while a killed node still holds a recurring job's storage lock used to exit at startup
/// (PostgreSqlDistributedLockException out of ScheduleRecurringJobs). It must come up and register the jobs once the lock goes.
/// </summary>
public sealed class RecurringJobRegistrationTests
{
    [Fact]
    public async Task Start_KeepsTheNodeUpAndRegistersTheJobsLater_WhenALockIsStillHeldByAStoppedNode()
    {
        var manager = new LockedRecurringJobManager(failuresLeft: 3);
        var services = new ServiceCollection().AddSingleton<IRecurringJobManager>(manager).BuildServiceProvider();
        var registration = new RecurringJobRegistration(services, new ConfigurationBuilder().Build(), TimeProvider.System, NullLogger<RecurringJobRegistration>.Instance);
        var previous = RecurringJobRegistration.RetryInterval;
        RecurringJobRegistration.RetryInterval = TimeSpan.FromMilliseconds(20);
        try
        {
            await registration.StartAsync(CancellationToken.None); // must not throw: the node goes on starting

            await Eventually.TrueAsync(() => manager.Registered.Contains(PortalJobs.DispatcherJobId), TimeSpan.FromSeconds(10), "the dispatcher job registered after the lock was freed");
            Assert.Equal(0, manager.FailuresLeft);
            Assert.Contains(PortalJobs.ReconcileJobId, manager.Registered);
            await registration.StopAsync(CancellationToken.None);
        }
        finally
        {
            RecurringJobRegistration.RetryInterval = previous;
        }
    }

    [Fact]
    public async Task Start_RegistersTheJobsBeforeTheNodeServes_WhenNoLockIsHeld()
    {
        var manager = new LockedRecurringJobManager(failuresLeft: 0);
        var services = new ServiceCollection().AddSingleton<IRecurringJobManager>(manager).BuildServiceProvider();
        var registration = new RecurringJobRegistration(services, new ConfigurationBuilder().Build(), TimeProvider.System, NullLogger<RecurringJobRegistration>.Instance);

        await registration.StartAsync(CancellationToken.None);

        Assert.Contains(PortalJobs.DispatcherJobId, manager.Registered);
        Assert.Contains(PortalJobs.InventoryJobId, manager.Registered);
        await registration.StopAsync(CancellationToken.None);
    }

    /// <summary>Refuses the first registrations the way a lock held by a dead node does, then accepts.</summary>
    private sealed class LockedRecurringJobManager(int failuresLeft) : IRecurringJobManager
    {
        private int _failuresLeft = failuresLeft;
        public int FailuresLeft => Volatile.Read(ref _failuresLeft);
        public System.Collections.Concurrent.ConcurrentBag<string> Registered { get; } = [];

        public void AddOrUpdate(string recurringJobId, Job job, string cronExpression, RecurringJobOptions options)
        {
            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
                throw new DistributedLockTimeoutException($"recurring-job:{recurringJobId}");
            Interlocked.Exchange(ref _failuresLeft, 0);
            Registered.Add(recurringJobId);
        }

        public void Trigger(string recurringJobId) { }

        public void RemoveIfExists(string recurringJobId) { }
    }
}
