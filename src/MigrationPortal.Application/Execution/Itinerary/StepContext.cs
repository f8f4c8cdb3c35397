using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Execution.Itinerary.Conversion;

namespace MigrationPortal.Application.Execution.Itinerary;

/// <summary>What a step works with during one run: the plan as it stands, the connector, the run's journal and the ending.</summary>
public sealed class StepContext(MigrationPlan plan, IHypervisorConnector connector, IHypervisorConnector destination, RunJournal journal, CancellationToken cancellation)
{
    /// <summary>The plan; a step that changes it (the snapshot step records the snapshot ID) replaces it for the steps after.</summary>
    public MigrationPlan Plan { get; set; } = plan;

    /// <summary>The source connection's connector: prechecks, snapshot, encryption, the transfer and its control.</summary>
    public IHypervisorConnector Connector { get; } = connector;

    /// <summary>The destination connection's connector: verification and leftovers. The same one for a move within one connection.</summary>
    public IDestinationOperations Destination { get; } = destination;

    /// <summary>The destination connection's whole connector, for the roles a conversion needs beyond <see cref="Destination"/>.</summary>
    public IHypervisorConnector DestinationConnector { get; } = destination;

    /// <summary>What a conversion's steps hand to each other within this run (the open export); empty for other moves.</summary>
    public ConversionRun Conversion { get; } = new();

    public RunJournal Journal { get; } = journal;

    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>How the move ended; set before the clean-up steps run.</summary>
    public MoveEnding Ending { get; internal set; } = MoveEnding.Succeeded;

    /// <summary>The last refusal of this run's cancel, once the portal has stopped asking ("cancel refused by … : …").</summary>
    public string? CancelRefusal { get; set; }
}
