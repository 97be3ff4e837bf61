// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Manager} from "./Manager.sol";
import {ILivepeerToken} from "./interfaces/ILivepeerToken.sol";
import {IManager} from "./interfaces/IManager.sol";
import {IMinter} from "./interfaces/IMinter.sol";
import {MathLib} from "./libraries/MathLib.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title Minter
/// @notice Holds the protocol's LPT and ETH and mints each round's inflation.
contract Minter is IMinter, Manager {
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    // Packed so that initializeRound reads the parameters in one slot and reward reads the round's
    // budget in another.
    uint128 internal _inflation;
    uint64 internal _inflationChange;
    uint64 internal _targetBondingRate;

    // Amounts are uint96 elsewhere (contracts/bonding/BondingTypes.sol); these two fill their slot as
    // uint128, so the round's start writes it without reading it first.
    uint128 internal _currentMintableTokens;
    uint128 internal _currentMintedTokens;

    /// @dev The BondingManager granted an unlimited allowance over this contract's LPT (see
    /// trustedTransferTokens).
    address internal _allowanceHolder;

    /// @dev LPT never changes address; holding it saves a registry lookup on every mint and transfer.
    ILivepeerToken internal immutable _lpt;

    constructor(
        address controller_,
        address token,
        uint256 inflation_,
        uint256 inflationChange_,
        uint256 targetBondingRate_
    ) {
        require(inflation_ <= MathLib.INFLATION_DIVISOR, RateAboveOne(inflation_));
        require(token != address(0), ZeroAddress());
        _setController(controller_);
        _lpt = ILivepeerToken(token);
        _inflation = inflation_.toUint128();
        _setInflationChange(inflationChange_);
        _setTargetBondingRate(targetBondingRate_);
    }

    /* REWARDS */

    /// @inheritdoc IMinter
    function createReward(uint256 fracNum, uint256 fracDenom) external returns (uint256 mintAmount) {
        _requireNotPaused();
        _requireCaller(BONDING_MANAGER);
        require(fracDenom != 0, ZeroDenominator());

        uint256 mintable = _currentMintableTokens;
        uint256 minted = _currentMintedTokens;
        mintAmount = MathLib.percOf(mintable, fracNum, fracDenom, MathLib.INFLATION_DIVISOR);
        require(minted + mintAmount <= mintable, MintableExceeded(mintAmount, mintable - minted));

        _currentMintedTokens = (minted + mintAmount).toUint128();
        _lpt.mint(address(this), mintAmount);
    }

    /// @inheritdoc IMinter
    function setCurrentRewardTokens() external {
        _requireNotPaused();
        _requireCaller(ROUNDS_MANAGER);

        uint256 supply = getGlobalTotalSupply();
        // slither-disable-next-line uninitialized-local (0% bonded when the supply is zero)
        uint256 bondingRate;
        if (supply > 0) {
            uint256 totalBonded = _bondingManager().currentRoundTotalActiveStake();
            bondingRate = MathLib.percPoints(totalBonded, supply, MathLib.INFLATION_DIVISOR);
        }

        uint256 inflation_ = _inflation;
        uint256 change = _inflationChange;
        uint256 target = _targetBondingRate;
        if (bondingRate < target) {
            inflation_ += change;
        } else if (bondingRate > target) {
            inflation_ = inflation_ > change ? inflation_ - change : 0;
        }

        uint256 mintable = MathLib.percOf(supply, inflation_, MathLib.INFLATION_DIVISOR);
        _inflation = inflation_.toUint128();
        _currentMintableTokens = mintable.toUint128();
        _currentMintedTokens = 0;
        emit SetCurrentRewardTokens(mintable, inflation_);
    }

    /* CUSTODY */

    /// @inheritdoc IMinter
    function trustedTransferTokens(address to, uint256 amount) external {
        _requireNotPaused();
        _requireCaller(BONDING_MANAGER);
        IERC20(_lpt).safeTransfer(to, amount);
        // From now on the BondingManager pays custody LPT out itself (cheaper than a call here): it gets
        // an unlimited allowance, and a BondingManager registered before loses its own.
        address holder = _allowanceHolder;
        if (holder != msg.sender) {
            if (holder != address(0)) IERC20(_lpt).forceApprove(holder, 0);
            IERC20(_lpt).forceApprove(msg.sender, type(uint256).max);
            _allowanceHolder = msg.sender;
        }
    }

    /// @inheritdoc IMinter
    function trustedBurnTokens(uint256 amount) external {
        _requireNotPaused();
        _requireCaller(BONDING_MANAGER);
        _lpt.burn(amount);
    }

    /// @inheritdoc IMinter
    function trustedWithdrawETH(address payable to, uint256 amount) external {
        _requireNotPaused();
        require(
            msg.sender == _contract(BONDING_MANAGER) || msg.sender == _contract(JOBS_MANAGER),
            UnauthorizedCaller(msg.sender, BONDING_MANAGER)
        );
        (bool ok,) = to.call{value: amount}("");
        require(ok, EthTransferFailed(to, amount));
    }

    /// @inheritdoc IMinter
    function depositETH() external payable returns (bool) {
        // The registered Minter deposits here while migrating to this one.
        require(
            msg.sender == _contract(JOBS_MANAGER) || msg.sender == _contract(MINTER),
            UnauthorizedCaller(msg.sender, JOBS_MANAGER)
        );
        return true;
    }

    /// @inheritdoc IMinter
    function migrateToNewMinter(address newMinter) external {
        _requireControllerOwner();
        _requirePaused();
        require(
            newMinter != address(0) && newMinter != address(this)
                && address(IManager(newMinter).controller()) == address(controller()),
            InvalidNewMinter(newMinter)
        );

        uint256 tokens = _lpt.balanceOf(address(this));
        uint256 eth = address(this).balance;
        emit MinterMigrated(newMinter, tokens, eth);

        _lpt.transferMinter(newMinter);
        IERC20(_lpt).safeTransfer(newMinter, tokens);
        // slither-disable-next-line unused-return (depositETH returns true or reverts)
        IMinter(newMinter).depositETH{value: eth}();
    }

    /* PARAMETERS */

    /// @inheritdoc IMinter
    function setTargetBondingRate(uint256 targetBondingRate_) external {
        _requireControllerOwner();
        _setTargetBondingRate(targetBondingRate_);
    }

    /// @inheritdoc IMinter
    function setInflationChange(uint256 inflationChange_) external {
        _requireControllerOwner();
        _setInflationChange(inflationChange_);
    }

    /* VIEWS */

    /// @inheritdoc IMinter
    function inflation() external view returns (uint256) {
        return _inflation;
    }

    /// @inheritdoc IMinter
    function inflationChange() external view returns (uint256) {
        return _inflationChange;
    }

    /// @inheritdoc IMinter
    function targetBondingRate() external view returns (uint256) {
        return _targetBondingRate;
    }

    /// @inheritdoc IMinter
    function currentMintableTokens() external view returns (uint256) {
        return _currentMintableTokens;
    }

    /// @inheritdoc IMinter
    function currentMintedTokens() external view returns (uint256) {
        return _currentMintedTokens;
    }

    /// @inheritdoc IMinter
    function getGlobalTotalSupply() public view returns (uint256) {
        return _lpt.totalSupply();
    }

    /* INTERNAL */

    function _setTargetBondingRate(uint256 rate) internal {
        require(rate <= MathLib.INFLATION_DIVISOR, RateAboveOne(rate));
        _targetBondingRate = rate.toUint64();
        emit TargetBondingRateSet(rate);
    }

    function _setInflationChange(uint256 change) internal {
        require(change <= MathLib.INFLATION_DIVISOR, RateAboveOne(change));
        _inflationChange = change.toUint64();
        emit InflationChangeSet(change);
    }
}
