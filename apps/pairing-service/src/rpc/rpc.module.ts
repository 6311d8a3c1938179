import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { PairingRpcServer } from './pairing-rpc.server';

@Module({ imports: [StateModule], providers: [PairingRpcServer] })
export class RpcModule {}
