using MigrationPortal.Infrastructure.Conversion;

namespace MigrationPortal.Application.Tests.Conversion;

public sealed class ReadCoverageTests
{
    [Fact]
    public void Add_CountsEachByteOnce_WhenReadsOverlapTouchAndArriveOutOfOrder()
    {
        var coverage = new ReadCoverage();

        coverage.Add(0, 100);
        coverage.Add(50, 100);     // overlaps: +50
        coverage.Add(300, 100);    // apart: +100
        coverage.Add(150, 150);    // touches both sides, fills the gap: +150
        coverage.Add(1000, 10);
        coverage.Add(0, 400);      // already covered

        Assert.Equal(410, coverage.Covered);
    }

    [Fact]
    public void Add_MergesARangeThatSpansSeveral()
    {
        var coverage = new ReadCoverage();
        coverage.Add(10, 10);
        coverage.Add(30, 10);
        coverage.Add(50, 10);

        coverage.Add(0, 100);

        Assert.Equal(100, coverage.Covered);
    }
}
