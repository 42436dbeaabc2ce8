using Warren.Linux;
using Xunit;

namespace Warren.Tests.Unit;

public class SignalParsingTests
{
    [Theory]
    [InlineData("KILL", 9)]
    [InlineData("SIGKILL", 9)]
    [InlineData("sigterm", 15)]
    [InlineData("9", 9)]
    [InlineData("HUP", 1)]
    [InlineData("RTMIN", 34)]
    [InlineData("RTMIN+3", 37)]
    [InlineData("SIGRTMAX-1", 63)]
    [InlineData("IOT", 6)]
    public void KnownSignals(string text, int expected)
    {
        Assert.True(Sig.TryParse(text, out var sig));
        Assert.Equal(expected, sig);
    }

    [Theory]
    [InlineData("NOPE")]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("RTMIN+40")]
    [InlineData("")]
    public void UnknownSignals(string text) => Assert.False(Sig.TryParse(text, out _));
}
