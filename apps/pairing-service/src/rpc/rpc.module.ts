import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { ApprovalReceipts } from './approval-receipts';
import { PairingRpcServer } from './pairing-rpc.server';

@Module({ imports: [StateModule], providers: [PairingRpcServer, ApprovalReceipts] })
export class RpcModule {}
