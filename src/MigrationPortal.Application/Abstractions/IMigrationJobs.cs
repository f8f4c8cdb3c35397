namespace MigrationPortal.Application.Abstractions;

/// <summary>Hands work to the background job system. Jobs take IDs only and reload everything they need.</summary>
public interface IMigrationJobs
{
    /// <summary>Queues the itinerary run (or the reconciliation) of one request.</summary>
    void EnqueueRun(Guid requestId);

    /// <summary>Asks the dispatcher to look for due requests now rather than at its next tick.</summary>
    void NudgeDispatcher();

    /// <summary>Queues an inventory sync of one connection now (a new connection, or an Operator's "Sync now"), apart from its recurring job.</summary>
    void EnqueueSync(Guid connectionId);
}
