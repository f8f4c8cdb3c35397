using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Waves;

/// <summary>One wave of a file as validated or submitted: its batch (empty when only validated) and how its requests would be decided.</summary>
public sealed record WaveView(string Name, Guid? BatchId, int Rows, int AutoApproved, int PendingApproval, DateTimeOffset? FirstPlannedStart);

/// <summary>The outcome of validating or submitting a file: every row passed, one batch per wave.</summary>
public sealed record WaveResult(int Rows, IReadOnlyList<WaveView> Waves);

public static class WaveViewMapping
{
    public static WaveView ToWaveView(this Batches.BatchView batch, string wave, bool saved) => new(
        wave, saved ? batch.Id : null, batch.Requests.Count,
        batch.Requests.Count(r => r.State == RequestState.Approved), batch.Requests.Count(r => r.State == RequestState.PendingApproval),
        batch.Requests.Select(r => r.PlannedStart).Where(s => s is not null).Min());
}
