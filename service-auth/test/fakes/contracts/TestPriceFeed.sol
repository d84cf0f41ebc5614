// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A price feed with Chainlink's AggregatorV3Interface read side (decimals, latestRoundData);
/// tests set each round's answer and its update time.
contract TestPriceFeed {
    uint8 public immutable decimals;
    uint80 private round;
    int256 private answer;
    uint256 private updatedAt;

    constructor(uint8 decimals_) {
        decimals = decimals_;
    }

    function setAnswer(int256 answer_, uint256 updatedAt_) external {
        round += 1;
        answer = answer_;
        updatedAt = updatedAt_;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (round, answer, updatedAt, updatedAt, round);
    }
}

/// A contract wallet's way of paying: the value reaches the recipient in an internal call, so the
/// transaction's own `to` and `value` name the contract, not the recipient.
contract Forwarder {
    function forward(address payable to) external payable {
        (bool ok, ) = to.call{value: msg.value}("");
        require(ok, "forward failed");
    }
}
