namespace MigrationPortal.Application.Abstractions;

/// <summary>Hands work to the background job system. Jobs take IDs only and reload everything they need.</summary>
public interface IMigrationJobs
{
    /// <summary>Queues the itinerary run (or the reconciliation) of one request.</summary>
    void EnqueueRun(Guid requestId);

    /// <summary>Asks the dispatcher to look for due requests now rather than at its next tick.</summary>
    void NudgeDispatcher();
}
